import { classifyResponse } from './classify-response.ts'
import type { HttpRequestSpec } from './http-request.ts'
import { maskSecrets } from './secrets.ts'
import { EXCERPT_LIMIT, type SendOutcome } from './send-outcome.ts'
import { truncate } from './truncate.ts'

export interface SendOptions {
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch
  /** Per attempt, answer included. Default 10 s. */
  timeoutMs?: number
  /** Cancels the attempt (outcome `retry`, error `aborted`). */
  signal?: AbortSignal
  /** Sent as `Idempotency-Key`; the receiver uses `<messageId>:<destination name>`. */
  idempotencyKey?: string
  /** The receiver's public base URL, for links (`Click` of a digest, …). */
  publicUrl?: string
}

export const DEFAULT_TIMEOUT_MS = 10_000

/** Bytes of an answer read for the excerpt; the rest is cancelled, not downloaded. */
const EXCERPT_BYTES = 4 * EXCERPT_LIMIT

/**
 * POSTs `request` once and says what came of it. Never throws: a connection error, a timeout or
 * an abort is a `retry` outcome. Error texts and the answer's excerpt have `secrets` masked.
 */
export async function sendHttp(
  request: HttpRequestSpec,
  secrets: readonly string[],
  options: SendOptions = {}
): Promise<SendOutcome> {
  const started = Date.now()
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout
  const headers: Record<string, string> = { 'user-agent': 'up42-webhooks', ...request.headers }
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey
  const mask = (text: string) => maskSecrets(text, secrets)
  const doFetch = options.fetch ?? globalThis.fetch
  const failure = (error: string): SendOutcome => ({
    outcome: 'retry',
    status: null,
    error: mask(error),
    responseExcerpt: null,
    retryAfterMs: null,
    latencyMs: Date.now() - started,
  })
  let response: Response
  try {
    response = await doFetch(request.url, {
      method: 'POST',
      headers,
      body: request.body,
      redirect: 'manual',
      signal,
    })
  } catch (error) {
    if (timeout.aborted) return failure(`no answer within ${timeoutMs} ms`)
    if (options.signal?.aborted) return failure('aborted')
    return failure(`could not connect: ${describeError(error)}`)
  }
  let excerpt: string | null = null
  try {
    excerpt = await readExcerpt(response)
  } catch {
    // The answer was cut off (timeout, reset) after its status line: the status still counts.
  }
  const { outcome, retryAfterMs } = classifyResponse(response.status, response.headers)
  return {
    outcome,
    status: response.status,
    error: outcome === 'delivered' ? null : `HTTP ${response.status}${statusText(response)}`,
    responseExcerpt: excerpt === null || excerpt === '' ? null : mask(excerpt),
    retryAfterMs,
    latencyMs: Date.now() - started,
  }
}

async function readExcerpt(response: Response): Promise<string | null> {
  if (response.body === null) return null
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < EXCERPT_BYTES) {
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
  const text = new TextDecoder().decode(bytes.subarray(0, EXCERPT_BYTES)).trim()
  return truncate(text, EXCERPT_LIMIT)
}

function statusText(response: Response): string {
  return response.statusText ? ` ${response.statusText}` : ''
}

/** `ECONNREFUSED`, `ENOTFOUND` …: undici puts the reason in `cause`. */
function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return error instanceof Error ? error.message : String(error)
}
