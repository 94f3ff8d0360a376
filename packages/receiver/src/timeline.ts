import { TERMINAL_STATUSES } from '@up42-webhooks/shared'
import type { WebhookRecord, WebhookStore } from './store.ts'

/** Why an arrival looks out of order. */
export type TimelineFlag =
  /** A status arrived after the job/order had already reached a terminal status. */
  | 'after-terminal'
  /** Its envelope `timestamp` is earlier than that of a delivery that arrived before it. */
  | 'timestamp-earlier'

export interface TimelineEntry {
  id: number
  receivedAt: string
  event: string | null
  liveMode: boolean | null
  status: string | null
  /** The envelope's own `timestamp` (when UP42 says it sent it), if any. */
  timestamp: string | null
  deliveryCount: number
  terminal: boolean
  flags: TimelineFlag[]
}

export interface Timeline {
  key: string
  entries: TimelineEntry[]
  /** More deliveries exist than `limit`: only the first ones are shown. */
  truncated: boolean
}

const TIMELINE_LIMIT = 1000
const terminal = new Set<string>(TERMINAL_STATUSES)

/** One job's or order's deliveries in arrival order, with out-of-order arrivals flagged. */
export async function buildTimeline(
  store: WebhookStore,
  key: string,
  limit = TIMELINE_LIMIT
): Promise<Timeline> {
  const records: WebhookRecord[] = []
  for await (const record of store.iterate({ jobOrOrderId: key, limit: limit + 1 }))
    records.push(record)
  const truncated = records.length > limit
  return { key, entries: timelineEntries(records.slice(0, limit)), truncated }
}

/** Pure part of `buildTimeline`: records must be in arrival (id) order. */
function timelineEntries(records: readonly WebhookRecord[]): TimelineEntry[] {
  let terminalSeen = false
  let latestSent = Number.NEGATIVE_INFINITY
  return records.map((record) => {
    const timestamp = envelopeTimestamp(record.body)
    const sent = timestamp === null ? Number.NaN : Date.parse(timestamp)
    const flags: TimelineFlag[] = []
    if (terminalSeen) flags.push('after-terminal')
    if (sent < latestSent) flags.push('timestamp-earlier')
    if (!Number.isNaN(sent)) latestSent = Math.max(latestSent, sent)
    const isTerminal = record.status !== null && terminal.has(record.status)
    terminalSeen ||= isTerminal
    return {
      id: record.id,
      receivedAt: record.receivedAt,
      event: record.event,
      liveMode: record.liveMode,
      status: record.status,
      timestamp,
      deliveryCount: record.deliveryCount,
      terminal: isTerminal,
      flags,
    }
  })
}

function envelopeTimestamp(body: string): string | null {
  try {
    const value: unknown = JSON.parse(body)
    const timestamp = (value as { timestamp?: unknown } | null)?.timestamp
    return typeof timestamp === 'string' ? timestamp : null
  } catch {
    return null
  }
}
