import { Schema } from "effect"
import * as Job from "./Job.ts"

/** Sends one email through the Mailer. Enqueued in the transaction of the change that causes it. */
export const SendEmail = Job.make(
  "SendEmail",
  Schema.Struct({
    to: Schema.String,
    subject: Schema.String,
    text: Schema.String,
    html: Schema.optional(Schema.String)
  }),
  { maxAttempts: 10 }
)
