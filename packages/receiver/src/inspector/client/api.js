// The page's view of the receiver's JSON API (see the package README for the shapes).

export const FILTER_KEYS = ['event', 'liveMode', 'status', 'jobId', 'orderId', 'q']

export class ApiError extends Error {
  /** @param {string} message @param {number} status @param {unknown} body */
  constructor(message, status, body) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.body = body
  }
}

/** @param {URLSearchParams} params */
export function filtersFrom(params) {
  /** @type {Record<string, string>} */
  const filters = {}
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim()
    if (value) filters[key] = value
  }
  return filters
}

/** @param {Record<string, string>} filters @param {Record<string, string | number | null | undefined>} [extra] */
export function queryString(filters, extra = {}) {
  const params = new URLSearchParams()
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key])
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
  list: (filters, cursor, limit = 200) =>
    request(`api/webhooks${queryString(filters, { cursor, limit })}`),
  get: (id) => request(`api/webhooks/${id}`),
  stats: () => request('api/stats'),
  /** One page of summaries; pass the previous page's `nextCursor` for the next one. */
  timeline: (key, cursor = null) =>
    request(`api/timeline?${new URLSearchParams(cursor ? { key, cursor } : { key })}`),
  attempts: (id) => request(`api/webhooks/${id}/replays`),
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
 */
export function matches(filters, summary) {
  if (filters.event && summary.event !== filters.event) return false
  if (filters.liveMode && String(summary.liveMode) !== filters.liveMode) return false
  if (filters.status && summary.status !== filters.status) return false
  if (filters.jobId && summary.jobId !== filters.jobId) return false
  if (filters.orderId && summary.orderId !== filters.orderId) return false
  return true
}
