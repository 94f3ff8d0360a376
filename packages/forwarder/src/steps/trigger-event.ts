import type { WebhookDelivery } from '../core/webhook-delivery.ts'

/**
 * The event of Pipedream's HTTP trigger (`steps.trigger.event`): header keys are lowercased and a
 * JSON body arrives parsed. `bodyRaw` is only documented for `$.interface.http` sources; when a
 * workflow trigger supplies it we use it, otherwise the body is re-serialised.
 */
export interface HttpTriggerEvent {
  method?: string | undefined
  path?: string | undefined
  query?: Record<string, string> | undefined
  headers: Record<string, string | string[] | undefined>
  body?: unknown
  bodyRaw?: string | undefined
  url?: string | undefined
  client_ip?: string | undefined
}

export type BodySource = 'bodyRaw' | 'reconstructed'

/** The exact bytes to verify and forward. Re-serialising is exact only for compact JSON. */
export function rawBodyOf(event: HttpTriggerEvent): { text: string; source: BodySource } {
  if (typeof event.bodyRaw === 'string') return { text: event.bodyRaw, source: 'bodyRaw' }
  if (typeof event.body === 'string') return { text: event.body, source: 'reconstructed' }
  if (event.body === undefined || event.body === null) return { text: '', source: 'reconstructed' }
  return { text: JSON.stringify(event.body), source: 'reconstructed' }
}

/** Lowercased keys (Pipedream already does this; a self-hosted caller might not), arrays joined. */
export function normalizeHeaders(headers: HttpTriggerEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

const encoder = new TextEncoder()

/**
 * The trigger's event as the core's input: the raw body bytes (see rawBodyOf), the headers as
 * they are, and `receivedAt`, which a re-run sets to its first run so the signature's age is
 * checked as of then.
 */
export function toDelivery(
  event: HttpTriggerEvent,
  receivedAt: Date
): { delivery: WebhookDelivery; bodySource: BodySource } {
  const body = rawBodyOf(event)
  return {
    delivery: { headers: event.headers ?? {}, body: encoder.encode(body.text), receivedAt },
    bodySource: body.source,
  }
}
