import type { HeaderInput } from '@up42-webhooks/shared'

/**
 * A webhook as it arrived, in Web terms: what every caller (a Pipedream step, the local relay, a
 * test) hands the core. Nothing here knows where it came from.
 */
export interface WebhookDelivery {
  /** A Fetch `Headers`, or a record with keys in any case (several values are joined). */
  headers: HeaderInput
  /** The body bytes exactly as received: verified and forwarded unchanged. */
  body: Uint8Array
  /** When it arrived: the signature's age is checked as of this moment. */
  receivedAt: Date
}

const decoder = new TextDecoder()

/** The body as text, for the JSON parsers (invalid UTF-8 becomes U+FFFD, as in `Buffer#toString`). */
export function bodyText(delivery: WebhookDelivery): string {
  return decoder.decode(delivery.body)
}

/** Lowercased names, several values joined with ', ' (as HTTP combines repeated fields). */
export function headerRecord(headers: HeaderInput): Record<string, string> {
  const out: Record<string, string> = {}
  const add = (name: string, value: string) => {
    const key = name.toLowerCase()
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`
  }
  if (
    typeof (headers as Headers).forEach === 'function' &&
    typeof (headers as Headers).get === 'function'
  ) {
    ;(headers as Headers).forEach((value, name) => add(name, value))
    return out
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value === 'string') add(name, value)
    else if (Array.isArray(value)) add(name, value.join(', '))
  }
  return out
}

/** The envelope's messageId without validating the rest of the payload. */
export function messageIdOf(text: string): string | undefined {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  const id = (body as { messageId?: unknown } | null)?.messageId
  return typeof id === 'string' && id !== '' ? id : undefined
}
