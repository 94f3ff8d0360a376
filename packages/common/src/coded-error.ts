/**
 * The one argument order for this repo's error constructors: the message first, then an options
 * object with a machine-readable `code` (callers branch on it, never on the message) and the
 * `cause` when there is one. Extra fields go into the same object.
 *
 * ```ts
 * throw new StoreError('the database is locked', { code: 'BUSY', cause })
 * ```
 */
export interface ErrorOptions<Code extends string> {
  code: Code
  cause?: unknown
}
