import { EXAMPLE_EVENTS, parseEvent } from '@up42-webhooks/shared'

/** A task that ended badly, with where to read why. */
export interface FailedTask {
  /** The task's id as UP42 sends it. */
  id: string | null
  /** `name` or `blockName` when the payload has one (UP42's examples have neither). */
  name: string | null
  status: string | null
  logUrl: string | null
}

/** What a person needs at a glance, built from a stored webhook's parsed body. */
export interface WebhookNotice {
  event: string | null
  status: string | null
  /** `false` for test events (console "Send test event", `POST …/tests`). */
  liveMode: boolean | null
  jobId: string | null
  orderId: string | null
  messageId: string | null
  /** The receiver's id for the stored webhook. */
  webhookId: number | null
  /** ISO 8601. */
  receivedAt: string | null
  startedAt: string | null
  finishedAt: string | null
  /** `finishedAt - startedAt` when both are dates and in order. */
  durationMs: number | null
  failedTasks: FailedTask[]
  /** `${publicUrl}/?id=<webhookId>`: the webhook in the inspector, when both are known. */
  inspectorUrl: string | null
}

export interface NoticeMeta {
  webhookId?: number
  /** ISO string or epoch milliseconds. */
  receivedAt?: string | number
  /** The receiver's public base URL (`RECEIVER_PUBLIC_URL`), for the inspector link. */
  publicUrl?: string
}

/** Task statuses that count as failed. */
const FAILED_TASK_STATUSES = new Set(['FAILED', 'ERROR'])

/**
 * The notice for a webhook body (raw JSON text, bytes or the parsed object). Never throws: a body
 * that is not an UP42 envelope gives a notice of whatever it has (often all `null`), so a
 * notification still says that something arrived.
 */
export function noticeOf(body: unknown, meta: NoticeMeta = {}): WebhookNotice {
  const envelope = toRecord(body)
  let event: string | null = stringOr(envelope?.event)
  let status: string | null = null
  let liveMode: boolean | null = typeof envelope?.liveMode === 'boolean' ? envelope.liveMode : null
  let messageId: string | null = stringOr(envelope?.messageId)
  let jobId: string | null = null
  let orderId: string | null = null
  const inner = toRecord(envelope?.body)
  try {
    const parsed = parseEvent(envelope)
    ;({ event, liveMode, messageId } = parsed)
    status = parsed.status ?? null
    jobId = parsed.jobId ?? null
    orderId = parsed.orderId ?? null
  } catch {
    status = stringOr(inner?.status)
    if (event === 'job.status') jobId = stringOr(inner?.id) ?? stringOr(inner?.jobId)
    if (event === 'order.status') orderId = stringOr(inner?.orderId)
  }
  const startedAt = stringOr(inner?.startedAt)
  const finishedAt = stringOr(inner?.finishedAt)
  const webhookId = meta.webhookId ?? null
  const base = meta.publicUrl?.replace(/\/+$/, '')
  return {
    event,
    status,
    liveMode,
    jobId,
    orderId,
    messageId,
    webhookId,
    receivedAt: isoOf(meta.receivedAt),
    startedAt,
    finishedAt,
    durationMs: durationOf(startedAt, finishedAt),
    failedTasks: failedTasksOf(inner?.tasks),
    inspectorUrl: base && webhookId !== null ? `${base}/?id=${webhookId}` : null,
  }
}

/** A realistic notice (UP42's live FAILED job example) for "send a test message". */
export function sampleNotice(meta: NoticeMeta = {}): WebhookNotice {
  return noticeOf(EXAMPLE_EVENTS.jobLive, { receivedAt: '2022-07-25T16:02:35.000Z', ...meta })
}

function failedTasksOf(tasks: unknown): FailedTask[] {
  if (!Array.isArray(tasks)) return []
  return tasks.flatMap((task) => {
    const record = toRecord(task)
    const status = stringOr(record?.status)
    if (record === undefined || status === null || !FAILED_TASK_STATUSES.has(status.toUpperCase()))
      return []
    return [
      {
        id: stringOr(record.id),
        name: stringOr(record.name) ?? stringOr(record.blockName),
        status,
        logUrl: httpUrlOr(record.logUrl),
      },
    ]
  })
}

function durationOf(startedAt: string | null, finishedAt: string | null): number | null {
  if (startedAt === null || finishedAt === null) return null
  const ms = Date.parse(finishedAt) - Date.parse(startedAt)
  return Number.isFinite(ms) && ms >= 0 ? ms : null
}

function isoOf(value: string | number | undefined): string | null {
  if (value === undefined) return null
  const ms = typeof value === 'number' ? value : Date.parse(value)
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null
}

function toRecord(value: unknown): Record<string, unknown> | undefined {
  let parsed = value
  if (typeof value === 'string' || value instanceof Uint8Array) {
    try {
      parsed = JSON.parse(typeof value === 'string' ? value : new TextDecoder().decode(value))
    } catch {
      return undefined
    }
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined
}

function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

/** Only http(s) links go into messages: a `javascript:` logUrl must not become a button. */
function httpUrlOr(value: unknown): string | null {
  const text = stringOr(value)
  return text !== null && /^https?:\/\//i.test(text) && URL.canParse(text) ? text : null
}
