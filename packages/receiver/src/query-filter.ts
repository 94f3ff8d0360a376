import type { WebhookFilter } from './store.ts'

/**
 * The query parameters every filtered view takes; the inspector page gets this list from the
 * server (`data-filter-keys`) and keeps its URL in these.
 */
export const FILTER_KEYS = [
  'event',
  'liveMode',
  'status',
  'jobId',
  'orderId',
  'q',
] as const satisfies readonly (keyof WebhookFilter)[]

/** A query parameter that makes no sense (answered with 400). */
export class QueryError extends Error {
  override name = 'QueryError'
  code = 'BAD_QUERY' as const
}

/**
 * Reads the list filters (`event`, `status`, `liveMode`, `q`, `jobId`, `orderId`) for every route
 * that takes them (`/dump-webhooks`, `/api/webhooks`, export, the stream), so one view's URL
 * means the same everywhere.
 * @throws {QueryError} for a `liveMode` other than `true` / `false`
 */
export function filterFromQuery(query: Record<string, string | undefined>): WebhookFilter {
  const filter: WebhookFilter = {}
  for (const key of FILTER_KEYS) {
    if (key === 'liveMode') continue
    const value = query[key]?.trim()
    if (value) filter[key] = value
  }
  const liveMode = query['liveMode']?.trim()
  if (liveMode === 'true') filter.liveMode = true
  else if (liveMode === 'false') filter.liveMode = false
  else if (liveMode)
    throw new QueryError(`liveMode must be true or false, got ${JSON.stringify(liveMode)}`)
  return filter
}

/**
 * A webhook id to resume after (`Last-Event-ID` or `?since=`), or null.
 * @throws {QueryError} when it is not a non-negative integer
 */
export function resumeId(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null
  const id = Number(value.trim())
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new QueryError(`resume id must be a webhook id, got ${JSON.stringify(value)}`)
  }
  return id
}
