import { parseSignatureInput, WebhookVerificationError } from '@up42-webhooks/shared'
import { messageIdOf, normalizeHeaders, rawBodyOf, type HttpTriggerEvent } from './trigger-event.ts'

/** Never copied even when signed: they describe the hop, and undici sets or refuses them. */
const HOP_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'expect',
  'authorization',
  'proxy-authorization',
])

/**
 * Header names the signature covers, read by the same parser the receiver's verifier uses. None
 * when `signature-input` is missing or malformed: the receiver rejects such a delivery anyway.
 */
function coveredHeaderNames(signatureInput: string | undefined): string[] {
  if (signatureInput === undefined) return []
  try {
    return parseSignatureInput(signatureInput).components
  } catch (error) {
    if (error instanceof WebhookVerificationError) return []
    throw error
  }
}

export interface ForwardRequest {
  body: string
  /** Headers taken from the original delivery; auth and user-agent are added by postWebhook. */
  headers: Record<string, string>
}

/**
 * What the receiver needs to re-verify and dedup: the body bytes unchanged, the signature, its
 * input and every header it covers, and an idempotency key (messageId, else the trace id that
 * Pipedream keeps across retries of one event).
 */
export function buildForwardRequest(event: HttpTriggerEvent, traceId?: string): ForwardRequest {
  const { text } = rawBodyOf(event)
  const original = normalizeHeaders(event.headers)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const names = ['signature', 'signature-input', ...coveredHeaderNames(original['signature-input'])]
  for (const name of names) {
    const value = original[name]
    if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value
  }
  const key = messageIdOf(event, text) ?? traceId
  if (key) headers['idempotency-key'] = key
  return { body: text, headers }
}
