/**
 * Milliseconds to wait according to a `Retry-After` header: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3), a past date meaning 0. `undefined` when the header is absent or
 * unreadable. Takes the first value when a header arrives more than once (Node's raw headers).
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  nowMs: number
): number | undefined {
  const text = (typeof value === 'string' ? value : value?.[0])?.trim()
  if (text === undefined || text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // All three HTTP date formats start with a day name; this keeps Date.parse from reading
  // "-5" or "1.5" as years.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}
