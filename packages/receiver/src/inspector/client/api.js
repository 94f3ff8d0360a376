// The page's view of the receiver's JSON API (see the package README for the shapes).

export const FILTER_KEYS = ['event', 'liveMode', 'status', 'jobId', 'orderId', 'q']

/**
 * The API's shapes, as the page reads them (the server's are in src/store.ts and src/timeline.ts).
 * @typedef {Record<string, string>} Filters
 * @typedef {{ id: number, receivedAt: string, event: string | null, liveMode: boolean | null,
 *   status: string | null, messageId: string | null, jobId: string | null,
 *   orderId: string | null, deliveryCount: number, verdict: string, size: number }} Summary
 * @typedef {Summary & { headers: Record<string, string>, body: string, bodyBase64: string,
 *   remoteAddress: string | null, idempotencyKey: string | null }} WebhookRecord
 * @typedef {{ items: Summary[], nextCursor: string | null }} Page
 * @typedef {{ id: number, receivedAt: string, event: string | null, liveMode: boolean | null,
 *   status: string | null, timestamp: string | null, deliveryCount: number, terminal: boolean,
 *   flags: string[] }} TimelineEntry
 * @typedef {{ key: string, entries: TimelineEntry[], nextCursor: string | null }} TimelinePage
 * @typedef {{ id: number, at: string, url: string, mode: string, status: number | null,
 *   latencyMs: number, error: string | null, responseExcerpt: string | null }} Attempt
 * @typedef {{ imported: number, duplicates: number }} ImportResult
 * @typedef {{ id: number, webhookId: number, destination: string, kind: string, state: string,
 *   attempts: number, createdAt: string, nextAttemptAt: string | null,
 *   lastAttemptAt: string | null, lastStatus: number | null, lastError: string | null,
 *   lastResponseExcerpt: string | null, deliveredAt: string | null,
 *   destinationDisplay?: string | null }} Delivery
 * @typedef {{ name: string, kind: string, display: string }} Destination
 * @typedef {{ destinations: Destination[],
 *   counts: { pending: number, delivered: number, failed: number } }} Destinations
 */

export class ApiError extends Error {
  /** @param {string} message @param {number} status @param {any} body the parsed answer */
  constructor(message, status, body) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.body = body
  }
}

/** @param {URLSearchParams} params @returns {Filters} */
export function filtersFrom(params) {
  /** @type {Filters} */
  const filters = {}
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim()
    if (value) filters[key] = value
  }
  return filters
}

/** @param {Filters} filters @param {Record<string, string | number | null | undefined>} [extra] */
export function queryString(filters, extra = {}) {
  const params = new URLSearchParams()
  for (const key of FILTER_KEYS) {
    const value = filters[key]
    if (value) params.set(key, value)
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

/**
 * @param {string} path relative, so the page also works under a path prefix
 * @param {RequestInit} [init]
 * @param {number[]} [answers] non-2xx statuses that still carry a result (replay's 502)
 */
async function request(path, init, answers = []) {
  const res = await fetch(path, { headers: { accept: 'application/json' }, ...init })
  const text = await res.text()
  // the callers below name what each path answers
  /** @type {any} */
  let body = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = text
  }
  if (!res.ok && !answers.includes(res.status)) {
    const message = (body && typeof body === 'object' && (body.error ?? body.msg)) || res.statusText
    throw new ApiError(String(message), res.status, body)
  }
  return body
}

export const api = {
  /** @param {Filters} filters @param {string | null} cursor @returns {Promise<Page>} */
  list: (filters, cursor, limit = 200) =>
    request(`api/webhooks${queryString(filters, { cursor, limit })}`),
  /** @param {number} id @returns {Promise<WebhookRecord>} */
  get: (id) => request(`api/webhooks/${id}`),
  /** @returns {Promise<{ total: number }>} */
  stats: () => request('api/stats'),
  /**
   * One page of summaries; pass the previous page's `nextCursor` for the next one.
   * @param {string} key @param {string | null} [cursor] @returns {Promise<TimelinePage>}
   */
  timeline: (key, cursor = null) =>
    request(`api/timeline?${new URLSearchParams(cursor ? { key, cursor } : { key })}`),
  /** @param {number} id @returns {Promise<{ items: Attempt[] }>} */
  attempts: (id) => request(`api/webhooks/${id}/replays`),
  /**
   * @param {number} id @param {{ url: string | undefined, mode: string }} body
   * @returns {Promise<{ attempt: Attempt }>}
   */
  replay: (id, body) =>
    request(
      `api/webhooks/${id}/replay`,
      {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      [502]
    ),
  /** @param {number} id @returns {Promise<{ items: Delivery[] }>} */
  deliveries: (id) => request(`api/webhooks/${id}/deliveries?limit=500`),
  /** @param {number} id @returns {Promise<Delivery>} */
  retryDelivery: (id) =>
    request(`api/deliveries/${id}/retry`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: '{}',
    }),
  /** @returns {Promise<Destinations>} */
  destinations: () => request('api/destinations'),
  /** @param {BodyInit} ndjson @returns {Promise<ImportResult>} */
  import: (ndjson) =>
    request('api/import', {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-ndjson' },
      body: ndjson,
    }),
}

/**
 * Whether a live summary belongs in the current filtered view: exact matches, as the list from
 * the server has them (free text is left to the server).
 * @param {Filters} filters @param {Summary} summary
 */
export function matches(filters, summary) {
  if (filters.event && summary.event !== filters.event) return false
  if (filters.liveMode && String(summary.liveMode) !== filters.liveMode) return false
  if (filters.status && summary.status !== filters.status) return false
  if (filters.jobId && summary.jobId !== filters.jobId) return false
  if (filters.orderId && summary.orderId !== filters.orderId) return false
  return true
}

/** The message of anything thrown (an `Error`'s, else its text). @param {unknown} error */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error)
}
