/**
 * Request headers as callers hold them: a Fetch `Headers` object, Node's `IncomingHttpHeaders`
 * or Pipedream's lowercased map. Keys may be in any case.
 */
export type HeaderInput = Headers | Readonly<Record<string, string | readonly string[] | undefined>>

/** Returns the value of a lowercase header name, or undefined when it is absent. */
export type HeaderReader = (name: string) => string | undefined

/**
 * Normalises a header container into one lookup. Several values of one header (an array, or
 * keys differing only in case) are joined with ', ', as HTTP combines repeated fields.
 * @throws {TypeError} when `headers` is not an object, or (from the reader) when the value of a
 *   header being read is not a string or string[]
 */
export function createHeaderReader(headers: HeaderInput): HeaderReader {
  if (typeof headers !== 'object' || headers === null) {
    throw new TypeError('[@up42-webhooks/shared] headers must be a Headers object or a record')
  }
  if (isHeadersLike(headers)) return (name) => headers.get(name) ?? undefined
  const record = headers as Readonly<Record<string, unknown>>
  // Own enumerable keys only, so `constructor` or `__proto__` never resolve to prototype members.
  const keys = Object.keys(record)
  // A verification reads four or five names; scanning the keys per read (most are rejected
  // by length alone) is cheaper than building a lowercased copy of every header.
  return (name) => {
    let combined: string | undefined
    for (const key of keys) {
      if (key.length !== name.length || (key !== name && key.toLowerCase() !== name)) continue
      const value = joinValue(record[key], key)
      if (value !== undefined) combined = combined === undefined ? value : `${combined}, ${value}`
    }
    return combined
  }
}

// Duck-typed: a Headers from the undici package or a polyfill is no instance of the global one.
function isHeadersLike(headers: object): headers is Headers {
  const candidate = headers as Partial<Headers>
  return typeof candidate.get === 'function' && typeof candidate.forEach === 'function'
}

function joinValue(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.length === 0 ? undefined : value.join(', ')
  }
  throw new TypeError(
    `[@up42-webhooks/shared] header ${JSON.stringify(key)} must be a string or an array of strings`
  )
}
