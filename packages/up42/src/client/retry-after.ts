/**
 * Milliseconds to wait according to a `Retry-After` header: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). `undefined` when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // All three HTTP date formats start with a day name; this keeps Date.parse from reading
  // "-5" or "1.5" as years.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}
