import type { HttpRequestSpec } from './http-request.ts'

/** What sendHttp needs of an answer. */
export interface HttpAnswer {
  status: number
  statusText: string
  headers: { get(name: string): string | null }
  /**
   * The first `excerptBytes` (or a little more) of the body, the rest left unread; null when
   * there is none or it was cut off after the status line (the status still counts).
   */
  excerpt: Uint8Array | null
}

export interface HttpExchange {
  /** For the whole attempt, answer included. */
  timeoutMs: number
  /** Cancels the attempt. */
  signal?: AbortSignal | undefined
  /** How much of the answer to read for the excerpt. */
  excerptBytes: number
}

/**
 * One POST: resolves with the answer (any status; redirects are not followed) or rejects: with
 * an error named `TimeoutError` when `timeoutMs` passed, with any error when the connection
 * failed or `signal` aborted (the error's `cause.code`, e.g. ECONNREFUSED, says why).
 */
export type HttpTransport = (
  request: HttpRequestSpec,
  exchange: HttpExchange
) => Promise<HttpAnswer>

/** The transport on `fetch`: every runtime has it (Pipedream, Deno, Bun, workerd, Node). */
export function fetchTransport(doFetch: typeof fetch = globalThis.fetch): HttpTransport {
  return async (request, { timeoutMs, signal, excerptBytes }) => {
    const timeout = AbortSignal.timeout(timeoutMs)
    const response = await doFetch(request.url, {
      method: 'POST',
      headers: request.headers,
      // TS 5.9 types BodyInit with ArrayBuffer-backed views only; fetch sends any Uint8Array.
      body: request.body as BodyInit,
      redirect: 'manual',
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    })
    let excerpt: Uint8Array | null = null
    try {
      excerpt = await readExcerpt(response, excerptBytes)
    } catch {
      // The answer was cut off (timeout, reset) after its status line: the status still counts.
    }
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      excerpt,
    }
  }
}

async function readExcerpt(response: Response, limit: number): Promise<Uint8Array | null> {
  if (response.body === null) return null
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < limit) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    // Frees the connection without downloading an answer nobody reads.
    await reader.cancel().catch(() => {})
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
