/**
 * What every call resolves to; it never rejects, except when its `AbortSignal` aborts. Check `ok`
 * (or `error`), then `data` is the typed body, or `error` the typed error (switch on `_tag`).
 */
export type MoimResult<Data, Error> =
  | {
      readonly ok: true
      readonly data: Data
      /**
       * The answer's `ETag`, when it has one (reads, and edits of groups, posts and events): pass it
       * as `ifMatch` to edit only the version you read.
       */
      readonly etag?: string | undefined
      readonly error?: undefined
      readonly response: Response
    }
  | {
      readonly ok: false
      readonly data?: undefined
      readonly error: Error
      /** The HTTP response; undefined after a `NetworkError`. */
      readonly response: Response | undefined
    }
