import type { Subject } from "@moim/domain/Notifications/Notification"
import type { DigestFrequency } from "@moim/domain/Notifications/Preferences"

/** An email ready for the `SendEmail` job. */
export interface EmailParts {
  readonly subject: string
  readonly text: string
  readonly html: string
}

/** A link into the app, with what it opens. */
export interface AppLink {
  readonly label: string
  readonly url: string
}

/** The end of every notification email: why it came, and how to stop it. */
export interface EmailFooter {
  /** "emails about “You are invited to a group” are on", "you chose a daily digest". */
  readonly reason: string
  readonly unsubscribeUrl: string
  readonly preferencesUrl: string
}

const htmlEntities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }

/** Text as HTML shows it literally: a group called `<b>` stays `<b>`. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (character) => htmlEntities[character] ?? "")

/** One line, at most `max` characters: a subject cannot carry a group name's line breaks. */
const oneLine = (value: string, max = 150): string => {
  const line = value.replace(/\s+/gu, " ").trim()
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`
}

/** Where a notification leads in the app, by the kind of its subject. */
export const appLinkOf = (appUrl: string, subject: Subject): AppLink => {
  const id = encodeURIComponent(subject.id)
  switch (subject.kind) {
    case "invitation":
      return { label: "See the invitation", url: `${appUrl}/invitations/${id}` }
    case "group":
      return { label: "Open the group", url: `${appUrl}/groups/${id}` }
    default:
      return { label: "Open your notifications", url: `${appUrl}/notifications` }
  }
}

/** The app's pages the emails link to besides the notifications themselves. */
export const appPages = (appUrl: string) => ({
  notifications: `${appUrl}/notifications`,
  preferences: `${appUrl}/settings/notifications`,
  unsubscribe: (token: string) => `${appUrl}/unsubscribe?token=${encodeURIComponent(token)}`
})

const textFooter = (footer: EmailFooter) =>
  [
    "--",
    `You get this email because ${footer.reason}.`,
    `Unsubscribe: ${footer.unsubscribeUrl}`,
    `Notification settings: ${footer.preferencesUrl}`
  ].join("\n")

const htmlFooter = (footer: EmailFooter) =>
  `<hr style="border:none;border-top:1px solid #ddd;margin:24px 0 12px">
<p style="font-size:12px;color:#666">You get this email because ${escapeHtml(footer.reason)}.
<a href="${escapeHtml(footer.unsubscribeUrl)}">Unsubscribe</a> ·
<a href="${escapeHtml(footer.preferencesUrl)}">Notification settings</a></p>`

const htmlPage = (title: string, body: string) => `<!doctype html>
<html>
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;line-height:1.5;color:#222;max-width:600px">
${body}
</body>
</html>
`

/** One notification: its sentence as the subject and the body, a link to it, the footer. */
export const singleEmail = (input: {
  readonly nickname: string
  readonly sentence: string
  readonly link: AppLink
  readonly footer: EmailFooter
}): EmailParts => {
  const subject = oneLine(input.sentence)
  const text = [
    `Hello ${oneLine(input.nickname, 100)},`,
    "",
    input.sentence,
    "",
    `${input.link.label}: ${input.link.url}`,
    "",
    textFooter(input.footer),
    ""
  ].join("\n")
  const html = htmlPage(
    subject,
    `<p>Hello ${escapeHtml(oneLine(input.nickname, 100))},</p>
<p style="font-size:16px">${escapeHtml(input.sentence)}</p>
<p><a href="${escapeHtml(input.link.url)}">${escapeHtml(input.link.label)}</a></p>
${htmlFooter(input.footer)}`
  )
  return { subject, text, html }
}

/** A digest: the unread notifications, most recent first, each with its link; how many more there are. */
export const digestEmail = (input: {
  readonly nickname: string
  readonly frequency: Exclude<DigestFrequency, "off">
  readonly items: ReadonlyArray<{ readonly sentence: string; readonly link: AppLink }>
  /** Unread notifications left out of the list. */
  readonly more: number
  readonly allUrl: string
  readonly footer: EmailFooter
}): EmailParts => {
  const total = input.items.length + input.more
  const count = `${total} unread notification${total === 1 ? "" : "s"}`
  const subject = `Your ${input.frequency} Moim digest: ${count}`
  const moreLine = input.more === 0 ? [] : [`And ${input.more} more: ${input.allUrl}`, ""]
  const text = [
    `Hello ${oneLine(input.nickname, 100)},`,
    "",
    `You have ${count}:`,
    "",
    ...input.items.flatMap((item) => [`- ${item.sentence}`, `  ${item.link.url}`]),
    "",
    ...moreLine,
    textFooter(input.footer),
    ""
  ].join("\n")
  const html = htmlPage(
    subject,
    `<p>Hello ${escapeHtml(oneLine(input.nickname, 100))},</p>
<p>You have ${escapeHtml(count)}:</p>
<ul>
${input.items.map((item) => `<li><a href="${escapeHtml(item.link.url)}">${escapeHtml(item.sentence)}</a></li>`).join("\n")}
</ul>
${input.more === 0 ? "" : `<p><a href="${escapeHtml(input.allUrl)}">And ${input.more} more</a></p>`}
${htmlFooter(input.footer)}`
  )
  return { subject, text, html }
}
