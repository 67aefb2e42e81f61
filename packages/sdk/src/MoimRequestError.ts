/**
 * Thrown where a result cannot be returned, i.e. by `for await` over a paginated list: carries the
 * typed error of the page that failed.
 */
export class MoimRequestError<E extends { readonly _tag: string; readonly message: string }> extends Error {
  readonly error: E

  constructor(error: E) {
    super(`${error._tag}: ${error.message}`)
    this.name = "MoimRequestError"
    this.error = error
  }
}
