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
 * @throws {TypeError} when `headers` is not an object or a value is not a string/string[]
 */
export function createHeaderReader(headers: HeaderInput): HeaderReader {
  if (typeof headers !== 'object' || headers === null) {
    throw new TypeError('[@up42-webhooks/shared] headers must be a Headers object or a record')
  }
  if (typeof (headers as Headers).get === 'function' && isHeadersLike(headers)) {
    return (name) => headers.get(name) ?? undefined
  }
  const byName = new Map<string, string>()
  // Own enumerable keys only, so `constructor` or `__proto__` never resolve to prototype members.
  for (const key of Object.keys(headers)) {
    const value = joinValue((headers as Record<string, unknown>)[key], key)
    if (value === undefined) continue
    const name = key.toLowerCase()
    const previous = byName.get(name)
    byName.set(name, previous === undefined ? value : `${previous}, ${value}`)
  }
  return (name) => byName.get(name)
}

function isHeadersLike(headers: object): headers is Headers {
  return typeof (headers as Headers).forEach === 'function'
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
