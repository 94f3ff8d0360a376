import { TERMINAL_STATUSES } from '@up42-webhooks/shared'
import { MAX_PAGE_SIZE } from './store.ts'
import type { WebhookArrival, WebhookStore } from './store.ts'

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
  /** Pass as `cursor` for the next (later) deliveries; null on the last page. */
  nextCursor: string | null
  /** Same as `nextCursor !== null`; kept for clients of the unpaged timeline. */
  truncated: boolean
}

export interface TimelinePage {
  /** `nextCursor` of the previous page. */
  cursor?: string | null
  /** Deliveries per page, 1..MAX_PAGE_SIZE; default 200. */
  limit?: number
}

export const DEFAULT_TIMELINE_LIMIT = 200

/** A `cursor` that is not the `nextCursor` of a previous page. */
export class TimelineCursorError extends Error {
  override name = 'TimelineCursorError'
  readonly code = 'INVALID_CURSOR'
}

/**
 * What the flags of the next entry depend on. The cursor carries it, so a page is flagged
 * exactly as the whole timeline would be without reading the pages before it.
 */
interface Carry {
  lastId: number
  terminalSeen: boolean
  /** Latest envelope time seen so far, ms; null before any. */
  latestSent: number | null
}

const CURSOR = /^(\d{1,16})\.([01])\.(-?\d{1,16})?$/
const terminal = new Set<string>(TERMINAL_STATUSES)

function readCursor(cursor: string | null | undefined): Carry {
  if (cursor === undefined || cursor === null) {
    return { lastId: 0, terminalSeen: false, latestSent: null }
  }
  const match = CURSOR.exec(cursor)
  if (!match) throw new TimelineCursorError('cursor must be the nextCursor of a previous page')
  return {
    lastId: Number(match[1]),
    terminalSeen: match[2] === '1',
    latestSent: match[3] === undefined ? null : Number(match[3]),
  }
}

const writeCursor = (carry: Carry): string =>
  `${carry.lastId}.${carry.terminalSeen ? 1 : 0}.${carry.latestSent ?? ''}`

/**
 * One page of a job's or order's deliveries in arrival order, with out-of-order arrivals
 * flagged. Reads summaries only (the store never loads a body), at most `limit` + 1 of them.
 * @throws {TimelineCursorError} when `cursor` was not made by this function
 */
export async function buildTimeline(
  store: WebhookStore,
  key: string,
  page: TimelinePage = {}
): Promise<Timeline> {
  const limit = Math.min(Math.max(1, page.limit ?? DEFAULT_TIMELINE_LIMIT), MAX_PAGE_SIZE)
  const carry = readCursor(page.cursor)
  // a full page may be the last one: one more summary says whether a next page exists
  const arrivals = await store.listArrivals({ jobOrOrderId: key, since: carry.lastId, limit })
  const more =
    arrivals.length === limit &&
    (await store.listArrivals({ jobOrOrderId: key, since: arrivals.at(-1)!.id, limit: 1 })).length >
      0
  const entries = timelineEntries(arrivals, carry)
  return { key, entries, nextCursor: more ? writeCursor(carry) : null, truncated: more }
}

/** Pure part of `buildTimeline`: arrivals in id order; advances `carry` past them. */
function timelineEntries(arrivals: readonly WebhookArrival[], carry: Carry): TimelineEntry[] {
  return arrivals.map((arrival) => {
    const sent = arrival.timestamp === null ? Number.NaN : Date.parse(arrival.timestamp)
    const flags: TimelineFlag[] = []
    if (carry.terminalSeen) flags.push('after-terminal')
    if (carry.latestSent !== null && sent < carry.latestSent) flags.push('timestamp-earlier')
    if (!Number.isNaN(sent)) carry.latestSent = Math.max(carry.latestSent ?? sent, sent)
    const isTerminal = arrival.status !== null && terminal.has(arrival.status)
    carry.terminalSeen ||= isTerminal
    carry.lastId = arrival.id
    return {
      id: arrival.id,
      receivedAt: arrival.receivedAt,
      event: arrival.event,
      liveMode: arrival.liveMode,
      status: arrival.status,
      timestamp: arrival.timestamp,
      deliveryCount: arrival.deliveryCount,
      terminal: isTerminal,
      flags,
    }
  })
}
