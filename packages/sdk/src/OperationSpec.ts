export type HttpMethod = "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"

/** How the runtime calls one operation: a row of the generated `operations` table. */
export interface OperationSpec {
  readonly method: HttpMethod
  readonly path: string
  readonly security: ReadonlyArray<string>
  readonly errors: Readonly<Record<string, ReadonlyArray<string>>>
  readonly paginated: boolean
  readonly issuesSession: boolean
  /** Answers Server-Sent Events (`client.<group>.<name>(...)` is then an `EventStream`). */
  readonly events: boolean
}

/** Operations the session handling calls by name: part of the API contract. */
export const refreshOperation = "auth.refresh"
export const logoutOperation = "auth.logout"
