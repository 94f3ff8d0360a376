import type { Up42Event } from './parse-event.ts'
import { NOTIFIABLE_JOB_STATUSES, NOTIFIABLE_ORDER_STATUSES } from './statuses.ts'

/** Event types UP42 documents; others are not notifiable unless listed in `options.events`. */
export const KNOWN_EVENT_TYPES = ['job.status', 'order.status'] as const

export interface IsNotifiableOptions {
  /** Statuses to notify for every event type. Default: per type, the `NOTIFIABLE_*` lists. */
  statuses?: readonly string[]
  /** Event types to notify. Default: `['job.status', 'order.status']`. */
  events?: readonly string[]
  /** Whether test events (`liveMode: false`) may notify. Default `true`. */
  includeTestEvents?: boolean
}

/**
 * Decides whether an event deserves a notification: its type is wanted, it is live (or test
 * events are included), and its status is in the list. Statuses compare case-insensitively.
 * Pure; never throws, even for values that are not events.
 *
 * @example
 * isNotifiable(parseEvent(body), { statuses: parseStatusList(process.env.NOTIFY_STATUSES) })
 */
export function isNotifiable(event: Up42Event, options: IsNotifiableOptions = {}): boolean {
  if (typeof event !== 'object' || event === null || typeof event.status !== 'string') return false
  const { statuses, includeTestEvents = true } = options ?? {}
  const events: readonly string[] = options?.events ?? KNOWN_EVENT_TYPES
  if (!includeTestEvents && event.liveMode !== true) return false
  if (!Array.isArray(events) || !events.includes(event.event)) return false
  // A statuses value that is not a list is a misconfiguration: notify nothing rather than guess.
  if (statuses !== undefined && !Array.isArray(statuses)) return false
  const wanted = statuses ?? defaultStatuses(event.event)
  const status = event.status.toUpperCase()
  return wanted.some(
    (candidate) => typeof candidate === 'string' && candidate.toUpperCase() === status
  )
}

function defaultStatuses(eventType: string): readonly string[] {
  if (eventType === 'job.status') return NOTIFIABLE_JOB_STATUSES
  if (eventType === 'order.status') return NOTIFIABLE_ORDER_STATUSES
  return []
}
