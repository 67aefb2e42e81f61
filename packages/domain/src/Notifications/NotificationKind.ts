import { Option, Schema } from "effect"
import { notificationFields } from "./Notification.ts"

/** What one kind of notification is: declared once by the feature that sends it. */
export interface NotificationKind<Type extends string, Data extends Schema.Top> {
  /** `<feature>.<event>`, e.g. `group.joinRequested`; stored, and the `type` clients switch on. */
  readonly type: Type
  /** What users see in their preferences. */
  readonly description: string
  /** The kind of entity it is about (`group`, `invitation`, `user`, ...). */
  readonly subject: string
  /** What a client needs to show it without another request. */
  readonly data: Data
  /** Repeated events on one subject collapse into one unread notification ("Ada and 3 others ..."). */
  readonly collapse: boolean
  /** Group activity, silenced when the recipient mutes the group; personal news (you were removed) is not. */
  readonly mutedWithGroup: boolean
  /** Channels on by default; the recipient's preferences override them. In-app is always on by default. */
  readonly defaults: { readonly email: boolean; readonly push: boolean }
  /** The notification as a client receives it: these fields, `type` and `data`. */
  readonly schema: Schema.Struct<
    { readonly type: Schema.Literal<Type>; readonly data: Data } & typeof notificationFields
  >
  /** The display sentence, from who caused it ("Ada", "Ada and 3 others") and the stored data; none if the data is not this kind's. */
  readonly render: (who: string, data: unknown) => Option.Option<string>
}

export const make = <const Type extends string, Data extends Schema.Codec<unknown, unknown>>(spec: {
  readonly type: Type
  readonly identifier: string
  readonly description: string
  readonly subject: string
  readonly data: Data
  readonly collapse?: boolean
  readonly mutedWithGroup?: boolean
  readonly defaults: { readonly email: boolean; readonly push: boolean }
  readonly text: (who: string, data: Data["Type"]) => string
}): NotificationKind<Type, Data> => {
  const decode = Schema.decodeUnknownOption(Schema.toCodecJson(spec.data))
  return {
    type: spec.type,
    description: spec.description,
    subject: spec.subject,
    data: spec.data,
    collapse: spec.collapse ?? false,
    mutedWithGroup: spec.mutedWithGroup ?? false,
    defaults: spec.defaults,
    schema: Schema.Struct({ type: Schema.Literal(spec.type), data: spec.data, ...notificationFields }).annotate({
      identifier: spec.identifier,
      description: spec.description
    }),
    render: (who, data) => Option.map(decode(data), (decoded) => spec.text(who, decoded))
  }
}

/** Any kind, for catalogues and the server: what does not depend on the kind's data type. */
export interface AnyKind {
  readonly type: string
  readonly description: string
  readonly subject: string
  readonly collapse: boolean
  readonly mutedWithGroup: boolean
  readonly defaults: { readonly email: boolean; readonly push: boolean }
  readonly render: (who: string, data: unknown) => Option.Option<string>
}
