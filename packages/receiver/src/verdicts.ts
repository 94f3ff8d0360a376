/**
 * The verdict names, by meaning; `invalid` is followed by `:` and the verifier's error code. The
 * inspector page gets this object from the server (`data-verdicts`), so the names live here only.
 */
export const VERDICTS = {
  verified: 'verified',
  headersOnly: 'verified-headers-only',
  unsigned: 'unsigned',
  unchecked: 'unchecked',
  invalid: 'invalid',
} as const
