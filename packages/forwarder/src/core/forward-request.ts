import { isHopByHopHeader, signedComponents } from '@up42-webhooks/common'
import { bodyText, headerRecord, messageIdOf, type WebhookDelivery } from './webhook-delivery.ts'

/**
 * Never copied even when signed: hop-by-hop headers describe the hop (undici sets or refuses
 * them), and `authorization` is replaced by the receiver's own basic auth (`receiver-headers.ts`).
 */
function isNotForwarded(name: string): boolean {
  return name === 'authorization' || isHopByHopHeader(name)
}

export interface ForwardRequest {
  body: Uint8Array
  /** Headers taken from the original delivery; auth and user-agent are added by postWebhook. */
  headers: Record<string, string>
}

export interface ForwardRequestOptions {
  /** The envelope's messageId when the caller already parsed it (saves parsing the body again). */
  messageId?: string | undefined
  /** The idempotency key when the body has no messageId (a Pipedream step: its trace id). */
  fallbackKey?: string | undefined
}

/**
 * What the receiver needs to re-verify and dedup: the body bytes unchanged, the signature, its
 * input and every header it covers, and an idempotency key (messageId, else `fallbackKey`).
 */
export function buildForwardRequest(
  delivery: WebhookDelivery,
  options: ForwardRequestOptions = {}
): ForwardRequest {
  const original = headerRecord(delivery.headers)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const names = [
    'signature',
    'signature-input',
    ...(signedComponents(original['signature-input']) ?? []),
  ]
  for (const name of names) {
    const value = original[name]
    if (value !== undefined && !isNotForwarded(name)) headers[name] = value
  }
  const key = options.messageId ?? messageIdOf(bodyText(delivery)) ?? options.fallbackKey
  if (key) headers['idempotency-key'] = key
  return { body: delivery.body, headers }
}
