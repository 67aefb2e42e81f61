/**
 * What every call resolves to; it never rejects, except when its `AbortSignal` aborts. Check `ok`
 * (or `error`), then `data` is the typed body, or `error` the typed error (switch on `_tag`).
 */
export type MoimResult<Data, Error> =
  | {
      readonly ok: true
      readonly data: Data
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
