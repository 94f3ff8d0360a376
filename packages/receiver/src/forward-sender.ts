import { encodeBasicAuth, splitUrlCredentials } from '@up42-webhooks/common'
import { Agent, fetch as undiciFetch } from 'undici'
import { classifyStatus } from './delivery-outcome.ts'
import type { AttemptOutcome } from './delivery-outcome.ts'
import { replayHeaders } from './replay.ts'
import type { WebhookRecord } from './store.ts'

export const FORWARD_MODES = ['raw', 'resign'] as const
/** `raw`: the stored signature headers as they came; `resign`: signed afresh (new `created`). */
export type ForwardMode = (typeof FORWARD_MODES)[number]

export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000
const EXCERPT_CHARS = 512

/** A `--forward-to` target: the URL without its user info, which becomes `authorization`. */
export interface ForwardTarget {
  url: URL
  authorization: string | null
  /** Safe to show: no user info, query values masked. */
  display: string
}

/**
 * Reads a `--forward-to` URL (http or https only).
 * @throws {TypeError} naming nothing of the value (it may hold a password or a token)
 */
export function parseForwardTarget(raw: string): ForwardTarget {
  if (!URL.canParse(raw)) throw new TypeError('not an absolute URL')
  const { url, username, password } = splitUrlCredentials(raw)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`must be http:// or https://, not ${url.protocol}`)
  }
  url.hash = ''
  const authorization =
    username === undefined && password === undefined
      ? null
      : encodeBasicAuth(username ?? '', password ?? '')
  return { url, authorization, display: displayUrl(url, authorization !== null) }
}

/** `https://user:pw@host/p?token=x` → `https://***@host/p?token=***`: what may be shown. */
export function displayUrl(url: URL, hadCredentials = false): string {
  const shown = new URL(url.href)
  shown.username = ''
  shown.password = ''
  const query = [...shown.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=***`)
  shown.search = ''
  const base = shown.href.replace('://', hadCredentials ? '://***@' : '://')
  return query.length === 0 ? base : `${base}?${query.join('&')}`
}

export interface ForwardOptions {
  mode: ForwardMode
  /** Signs in `resign` mode (the first of several). */
  secret?: string | null
  idempotencyKey: string
  timeoutMs?: number
  signal?: AbortSignal
  /** Default undici's fetch, with `dispatcher`. */
  fetch?: typeof fetch
  /** Connection pool to the target, reused across attempts. */
  dispatcher?: Agent
  /** Unix seconds for a fresh signature. */
  now?: number
}

/**
 * Hands one stored webhook to the user's app as `stripe listen --forward-to` does: the raw body
 * bytes and the original headers (signature included, hop-by-hop and credential headers
 * removed), so the app verifies the signature itself; `Idempotency-Key: <messageId>:<name>`.
 * Redirects are not followed and one timeout bounds the whole attempt. Never throws: a network
 * failure is an outcome.
 */
export async function forwardWebhook(
  record: WebhookRecord,
  target: ForwardTarget,
  options: ForwardOptions
): Promise<AttemptOutcome> {
  const started = performance.now()
  const latency = () => Math.round(performance.now() - started)
  const secret = options.mode === 'resign' ? (options.secret ?? null) : null
  const headers = await replayHeaders(record, options.mode, secret, options.now)
  headers['idempotency-key'] = options.idempotencyKey
  if (headers['content-type'] === undefined) headers['content-type'] = 'application/json'
  if (target.authorization !== null) headers['authorization'] = target.authorization
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS)
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout
  const doFetch = options.fetch ?? (undiciFetch as typeof fetch)
  try {
    const response = await doFetch(target.url, {
      method: 'POST',
      headers,
      body: Buffer.from(record.bodyBase64, 'base64'),
      redirect: 'manual',
      signal,
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    } as RequestInit)
    const excerpt = await readExcerpt(response)
    const { outcome, retryAfterMs } = classifyStatus(
      response.status,
      response.headers.get('retry-after')
    )
    return {
      outcome,
      status: response.status,
      error: null,
      responseExcerpt: excerpt,
      retryAfterMs,
      latencyMs: latency(),
    }
  } catch (error) {
    return {
      outcome: 'retry',
      status: null,
      error: describeError(error, options.signal, target),
      responseExcerpt: null,
      retryAfterMs: null,
      latencyMs: latency(),
    }
  }
}

async function readExcerpt(response: Response): Promise<string | null> {
  if (!response.body) return null
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  // a few KiB at most: the excerpt is for a person, the rest is dropped unread
  while (size < EXCERPT_CHARS * 4) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  await reader.cancel().catch(() => {})
  const text = new TextDecoder().decode(Buffer.concat(chunks))
  if (text === '') return null
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text
}

function describeError(error: unknown, signal: AbortSignal | undefined, target: ForwardTarget) {
  if (signal?.aborted) return 'aborted: the receiver is shutting down'
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timed out'
  let text: string
  if (error instanceof Error) {
    const cause = error.cause as { code?: string; message?: string } | undefined
    text = cause?.code ? `${cause.code}: ${cause.message ?? error.message}` : error.message
  } else text = String(error)
  // an error message may quote the URL; only its display form may appear
  return text.replaceAll(target.url.href, target.display)
}
