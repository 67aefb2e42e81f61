import { SendEmail } from "@moim/domain/Jobs/SendEmail"
import { Mailer } from "@moim/server/platform/Mailer"
import { Effect } from "effect"
import * as JobHandler from "../JobHandler.ts"

/** Delivers one email. A refusal the mail server calls permanent (5xx) is not retried. */
export const SendEmailHandler = JobHandler.make(SendEmail, (payload) =>
  Effect.gen(function* () {
    const mailer = yield* Mailer
    yield* mailer
      .send(payload)
      .pipe(
        Effect.mapError((error) =>
          error.retryable ? error : new JobHandler.PermanentJobFailure({ message: error.message })
        )
      )
  })
)
