/** The envelope fields the store indexes. Every one is null when absent or of the wrong type. */
export interface WebhookFields {
  event: string | null
  liveMode: boolean | null
  status: string | null
  messageId: string | null
  jobId: string | null
  orderId: string | null
  /** The envelope's own `timestamp`: when UP42 says it sent the webhook. */
  timestamp: string | null
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/**
 * Reads the UP42 envelope fields from any parsed JSON value. Lenient on purpose: the receiver
 * stores every JSON body (the original stored anything), so a body that is not a valid UP42
 * envelope is kept with null fields instead of being rejected. Ids follow `parseEvent` in
 * `@up42-webhooks/shared`: a job's id is `body.id` on live events and `body.jobId` on test events.
 */
export function extractFields(parsed: unknown): WebhookFields {
  if (!isObject(parsed)) {
    return {
      event: null,
      liveMode: null,
      status: null,
      messageId: null,
      jobId: null,
      orderId: null,
      timestamp: null,
    }
  }
  const event = str(parsed.event)
  const inner = isObject(parsed.body) ? parsed.body : {}
  const liveMode = typeof parsed.liveMode === 'boolean' ? parsed.liveMode : null
  const jobId =
    event !== 'job.status'
      ? str(inner.jobId)
      : liveMode === true
        ? (str(inner.id) ?? str(inner.jobId))
        : (str(inner.jobId) ?? str(inner.id))
  return {
    event,
    liveMode,
    status: str(inner.status),
    messageId: str(parsed.messageId),
    jobId,
    orderId: str(inner.orderId),
    timestamp: str(parsed.timestamp),
  }
}
