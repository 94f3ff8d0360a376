import { encodeBasicAuth, splitUrlCredentials } from '@up42-webhooks/common'
import { sendHttp, type HttpTransport, type SendOutcome } from '@up42-webhooks/destinations'
import { replayHeaders } from './replay.ts'
import type { WebhookRecord } from './store.ts'

export const FORWARD_MODES = ['raw', 'resign'] as const
/** `raw`: the stored signature headers as they came; `resign`: signed afresh (new `created`). */
export type ForwardMode = (typeof FORWARD_MODES)[number]

export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000

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
  /** How the request goes out; default `fetch` (the receiver passes undici's request). */
  transport?: HttpTransport
  /** Unix seconds for a fresh signature. */
  now?: number
}

/**
 * Hands one stored webhook to the user's app as `stripe listen --forward-to` does: the raw body
 * bytes and the original headers (signature included, hop-by-hop and credential headers
 * removed), so the app verifies the signature itself; `Idempotency-Key: <messageId>:<name>`.
 * Sent, classified and excerpted as notifications are (`sendHttp`): redirects are not followed
 * and one timeout bounds the attempt. Never throws: a network failure is an outcome.
 */
export async function forwardWebhook(
  record: WebhookRecord,
  target: ForwardTarget,
  options: ForwardOptions
): Promise<SendOutcome> {
  const secret = options.mode === 'resign' ? (options.secret ?? null) : null
  const headers = await replayHeaders(record, options.mode, secret, options.now)
  if (headers['content-type'] === undefined) headers['content-type'] = 'application/json'
  if (target.authorization !== null) headers['authorization'] = target.authorization
  // an answer may quote the query's values (tokens) and must not be recorded with them; values
  // under 4 characters (`x=1`) are no secrets, and masking them would mangle any excerpt
  const secrets = [...target.url.searchParams.values()].filter((value) => value.length >= 4)
  return sendHttp(
    { url: target.url.href, headers, body: Buffer.from(record.bodyBase64, 'base64') },
    secrets,
    {
      idempotencyKey: options.idempotencyKey,
      timeoutMs: options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.transport === undefined ? {} : { transport: options.transport }),
    }
  )
}
