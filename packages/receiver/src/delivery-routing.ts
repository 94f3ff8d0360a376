import type { WebhookFields } from './extract-fields.ts'
import type { DeliveryInput, DeliveryKind } from './store.ts'

/** Which webhooks a destination gets; an absent field matches everything. */
export interface DestinationFilter {
  /** Event names, e.g. `job.status`. */
  events?: readonly string[]
  /** `body.status` values, compared without regard to case. */
  statuses?: readonly string[]
  liveMode?: boolean
  jobIds?: readonly string[]
  orderIds?: readonly string[]
}

/** What routing needs to know of a configured destination. */
export interface RoutedDestination {
  name: string
  kind: DeliveryKind
  filter: DestinationFilter
  /** Notifications only: deliveries wait this long, so a burst becomes one digest message. */
  digestWindowMs?: number
}

/** True when the webhook's envelope passes every part of the filter. */
export function matchesDestinationFilter(
  fields: WebhookFields,
  filter: DestinationFilter
): boolean {
  const { events, statuses, liveMode, jobIds, orderIds } = filter
  if (events !== undefined && (fields.event === null || !events.includes(fields.event)))
    return false
  if (statuses !== undefined) {
    const status = fields.status?.toUpperCase()
    if (status === undefined || !statuses.some((s) => s.toUpperCase() === status)) return false
  }
  if (liveMode !== undefined && fields.liveMode !== liveMode) return false
  // ids narrow only the events that carry that kind of id: a job filter leaves orders alone
  // unless orders are filtered too
  if (jobIds !== undefined || orderIds !== undefined) {
    const byJob = jobIds !== undefined && fields.jobId !== null && jobIds.includes(fields.jobId)
    const byOrder =
      orderIds !== undefined && fields.orderId !== null && orderIds.includes(fields.orderId)
    if (!byJob && !byOrder) return false
  }
  return true
}

/**
 * The deliveries a newly stored webhook needs, decided from its envelope alone (pure, so the
 * intake can compute them before the transaction that writes them with the webhook). A
 * notification with a digest window is due when its window closes.
 */
export function routeDeliveries(
  fields: WebhookFields,
  receivedAt: number,
  destinations: readonly RoutedDestination[]
): DeliveryInput[] {
  const deliveries: DeliveryInput[] = []
  for (const destination of destinations) {
    if (!matchesDestinationFilter(fields, destination.filter)) continue
    const window = destination.kind === 'notify' ? (destination.digestWindowMs ?? 0) : 0
    deliveries.push({
      destination: destination.name,
      kind: destination.kind,
      ...(window > 0 ? { notBefore: receivedAt + window } : {}),
    })
  }
  return deliveries
}
