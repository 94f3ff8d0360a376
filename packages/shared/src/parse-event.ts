import { WebhookPayloadError } from './errors.ts'

interface Up42EventEnvelope {
  /** `false` for test events sent from the console or `POST …/tests`. */
  liveMode: boolean
  /** UUID, usable as an idempotency key. */
  messageId: string
  /** RFC 3339 UTC with a variable number of fractional digits. */
  timestamp: string
  /** `body.status` when it is a string. */
  status: string | undefined
  /** The event's `body` object, untouched. */
  body: Record<string, unknown>
}

export interface JobStatusEvent extends Up42EventEnvelope {
  event: 'job.status'
  /** `body.id` in live events, `body.jobId` in test events. */
  jobId: string | undefined
  orderId?: undefined
}

export interface OrderStatusEvent extends Up42EventEnvelope {
  event: 'order.status'
  orderId: string | undefined
  jobId?: undefined
}

/** An event type UP42 may add later: kept, not rejected. */
export interface OtherUp42Event extends Up42EventEnvelope {
  event: string
  // Declared so `event.jobId` / `event.orderId` type-check on the whole union.
  jobId?: undefined
  orderId?: undefined
}

export type Up42Event = JobStatusEvent | OrderStatusEvent | OtherUp42Event

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Validates an UP42 webhook envelope (`event`, `liveMode`, `messageId`, `timestamp`, `body`).
 *
 * @param payload - the raw body (string or bytes), or an already parsed object
 * @returns a typed event; unknown event types are kept as a generic variant
 * @throws {WebhookPayloadError} with code `INVALID_JSON`, `NOT_AN_OBJECT`, `MISSING_FIELD` or
 *   `INVALID_FIELD` (and the `field` concerned)
 * @example
 * const event = parseEvent(rawBody)
 * if (event.event === 'job.status') console.log(event.jobId, event.status)
 */
export function parseEvent(payload: unknown): Up42Event {
  const envelope = toObject(payload)
  const event = field(envelope, 'event', 'string')
  const liveMode = field(envelope, 'liveMode', 'boolean')
  const messageId = field(envelope, 'messageId', 'string')
  const timestamp = field(envelope, 'timestamp', 'string')
  const body = field(envelope, 'body', 'object')
  const status = stringOf(body, 'status')
  const common = { liveMode, messageId, timestamp, status, body }
  if (event === 'job.status') {
    const [first, second] = liveMode ? (['id', 'jobId'] as const) : (['jobId', 'id'] as const)
    return { event, ...common, jobId: stringOf(body, first) ?? stringOf(body, second) }
  }
  if (event === 'order.status') {
    return { event, ...common, orderId: stringOf(body, 'orderId') }
  }
  return { event, ...common }
}

function toObject(payload: unknown): Record<string, unknown> {
  let value = payload
  if (typeof payload === 'string' || payload instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof payload === 'string' ? payload : decoder.decode(payload))
    } catch (cause) {
      throw new WebhookPayloadError('body is not valid JSON', { code: 'INVALID_JSON', cause })
    }
  }
  if (!isRecord(value)) {
    throw new WebhookPayloadError('body is not a JSON object', { code: 'NOT_AN_OBJECT' })
  }
  return value
}

type FieldTypes = { string: string; boolean: boolean; object: Record<string, unknown> }

function field<T extends keyof FieldTypes>(
  envelope: Record<string, unknown>,
  name: string,
  type: T
): FieldTypes[T] {
  if (!Object.hasOwn(envelope, name) || envelope[name] === undefined) {
    throw new WebhookPayloadError(`envelope field ${name} is missing`, {
      code: 'MISSING_FIELD',
      field: name,
    })
  }
  const value = envelope[name]
  const valid =
    type === 'object'
      ? isRecord(value)
      : typeof value === type && (type !== 'string' || value !== '')
  if (!valid) {
    throw new WebhookPayloadError(`envelope field ${name} must be a ${nonEmpty(type)}`, {
      code: 'INVALID_FIELD',
      field: name,
    })
  }
  return value as FieldTypes[T]
}

function nonEmpty(type: keyof FieldTypes): string {
  return type === 'string' ? 'non-empty string' : type
}

function stringOf(body: Record<string, unknown>, key: string): string | undefined {
  const value = Object.hasOwn(body, key) ? body[key] : undefined
  return typeof value === 'string' ? value : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
