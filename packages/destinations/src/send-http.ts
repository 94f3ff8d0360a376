import { classifyResponse } from './classify-response.ts'
import type { HttpRequestSpec } from './http-request.ts'
import { fetchTransport, type HttpTransport } from './http-transport.ts'
import { maskSecrets } from './secrets.ts'
import { EXCERPT_LIMIT, type SendOutcome } from './send-outcome.ts'
import { truncate } from './truncate.ts'

export interface SendOptions {
  /** Default `globalThis.fetch`; ignored when `transport` is given. */
  fetch?: typeof fetch
  /** How the request goes out; default one on `fetch` (Web APIs). */
  transport?: HttpTransport
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
  const headers: Record<string, string> = { 'user-agent': 'up42-webhooks', ...request.headers }
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey
  const mask = (text: string) => maskSecrets(text, secrets)
  const transport = options.transport ?? fetchTransport(options.fetch)
  const failure = (error: string): SendOutcome => ({
    outcome: 'retry',
    status: null,
    error: mask(error),
    responseExcerpt: null,
    retryAfterMs: null,
    latencyMs: Date.now() - started,
  })
  let answer
  try {
    answer = await transport(
      { ...request, headers },
      { timeoutMs, signal: options.signal, excerptBytes: EXCERPT_BYTES }
    )
  } catch (error) {
    if (options.signal?.aborted) return failure('aborted')
    if ((error as { name?: unknown } | null)?.name === 'TimeoutError') {
      return failure(`no answer within ${timeoutMs} ms`)
    }
    return failure(`could not connect: ${describeError(error)}`)
  }
  const { outcome, retryAfterMs } = classifyResponse(answer.status, answer.headers)
  const excerpt =
    answer.excerpt === null
      ? ''
      : truncate(
          new TextDecoder().decode(answer.excerpt.subarray(0, EXCERPT_BYTES)).trim(),
          EXCERPT_LIMIT
        )
  return {
    outcome,
    status: answer.status,
    error:
      outcome === 'delivered'
        ? null
        : `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`,
    responseExcerpt: excerpt === '' ? null : mask(excerpt),
    retryAfterMs,
    latencyMs: Date.now() - started,
  }
}

/** `ECONNREFUSED`, `ENOTFOUND` …: fetch puts the reason in `cause`, undici's request on the error. */
function describeError(error: unknown): string {
  const own = (error as { code?: unknown } | null)?.code
  if (typeof own === 'string' && own.startsWith('E')) return own
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return error instanceof Error ? error.message : String(error)
}
