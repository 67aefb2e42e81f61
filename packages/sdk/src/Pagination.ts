import { MoimRequestError } from "./MoimRequestError.ts"
import type { MoimResult } from "./MoimResult.ts"

/** A list page as every paginated operation answers it. */
interface Page {
  readonly items: ReadonlyArray<unknown>
  readonly nextCursor: string | null
}

const isPage = (value: unknown): value is Page =>
  typeof value === "object" &&
  value !== null &&
  "items" in value &&
  Array.isArray(value.items) &&
  "nextCursor" in value &&
  (typeof value.nextCursor === "string" || value.nextCursor === null)

export interface PageInput {
  readonly query?: Readonly<Record<string, unknown>> | undefined
}

type ErrorBody = { readonly _tag: string; readonly message: string }

export type PageCall = (input: PageInput) => Promise<MoimResult<unknown, ErrorBody>>

/** Pages of a keyset-paginated list, passing each page's `nextCursor` as the next `cursor`. */
export async function* pages(call: PageCall, input: PageInput = {}): AsyncGenerator<Page, void, undefined> {
  let cursor: string | null = null
  do {
    const query: Readonly<Record<string, unknown>> = { ...input.query, ...(cursor === null ? {} : { cursor }) }
    const result = await call({ ...input, query })
    if (!result.ok) throw new MoimRequestError(result.error)
    const page = result.data
    if (!isPage(page)) {
      throw new MoimRequestError({ _tag: "UnexpectedResponse", message: "The answer is not a list page" })
    }
    yield page
    cursor = page.nextCursor
  } while (cursor !== null)
}

/** Every item of every page. */
export async function* items(call: PageCall, input: PageInput = {}): AsyncGenerator<unknown, void, undefined> {
  for await (const page of pages(call, input)) yield* page.items
}
