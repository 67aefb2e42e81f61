import { Schema } from "effect"
import * as Job from "./Job.ts"

/** A header name (`List-Unsubscribe`) and a one-line value: nothing that could start another header. */
const HeaderName = Schema.String.check(Schema.isPattern(/^[A-Za-z][A-Za-z0-9-]*$/))
const HeaderValue = Schema.String.check(Schema.isPattern(/^[^\r\n]*$/))

/** Sends one email through the Mailer. Enqueued in the transaction of the change that causes it. */
export const SendEmail = Job.make(
  "SendEmail",
  Schema.Struct({
    to: Schema.String,
    subject: Schema.String,
    text: Schema.String,
    html: Schema.optional(Schema.String),
    /** Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058). */
    headers: Schema.optional(Schema.Record(HeaderName, HeaderValue))
  }),
  { maxAttempts: 10 }
)
