import { DEFAULT_SIGNED_COMPONENTS, signWebhook } from '@up42-webhooks/shared'
import { replayableHeaders } from './replay-headers.ts'
import { signedComponents } from './signed-components.ts'
import type { ReplayAttemptInput, WebhookRecord } from './store.ts'

export const REPLAY_MODES = ['raw', 'resign'] as const
export type ReplayMode = (typeof REPLAY_MODES)[number]

export type ReplayErrorCode = 'NO_TARGET' | 'BAD_TARGET' | 'BAD_MODE' | 'NO_SECRET'

/** A replay request that cannot be sent at all (nothing is attempted or stored). */
export class ReplayError extends Error {
  override name = 'ReplayError'
  code: ReplayErrorCode
  constructor(message: string, code: ReplayErrorCode, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export interface ReplayOptions {
  /** Target; defaults to `defaultUrl`. */
  url?: string | null
  defaultUrl?: string | null
  mode: string
  /** UP42_WEBHOOK_SECRET; the first one signs when several are configured. */
  secret?: string | string[] | null
  fetch?: typeof fetch
  timeoutMs?: number
  /** Unix seconds for the fresh signature; defaults to the clock. */
  now?: number
}

const REPLAY_TIMEOUT_MS = 10_000
const EXCERPT_BYTES = 2048

/** Checks the target URL and mode before anything is sent. */
function resolveReplay(options: ReplayOptions): {
  url: URL
  mode: ReplayMode
  secret: string | null
} {
  const raw = options.url?.trim() || options.defaultUrl?.trim()
  if (!raw) {
    throw new ReplayError(
      'no replay target: pass {"url": "http://…"} or set REPLAY_URL',
      'NO_TARGET'
    )
  }
  let url: URL
  try {
    url = new URL(raw)
  } catch (error) {
    throw new ReplayError(`replay target is not a URL: ${raw}`, 'BAD_TARGET', { cause: error })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ReplayError(`replay target must be http(s), got ${url.protocol}`, 'BAD_TARGET')
  }
  if (!(REPLAY_MODES as readonly string[]).includes(options.mode)) {
    throw new ReplayError(
      `mode must be "raw" or "resign", got ${JSON.stringify(options.mode)}`,
      'BAD_MODE'
    )
  }
  const secrets = [options.secret ?? []].flat().filter((s) => s !== '')
  const secret = secrets[0] ?? null
  if (options.mode === 'resign' && secret === null) {
    throw new ReplayError(
      'resign needs UP42_WEBHOOK_SECRET to be configured on the receiver',
      'NO_SECRET'
    )
  }
  return { url, mode: options.mode as ReplayMode, secret }
}

/** The headers a replay sends: the stored ones, re-signed with a fresh `created` for `resign`. */
async function replayHeaders(
  record: WebhookRecord,
  mode: ReplayMode,
  secret: string | null,
  now = Math.floor(Date.now() / 1000)
): Promise<Record<string, string>> {
  const headers = replayableHeaders(record.headers)
  if (mode === 'raw' || secret === null) return headers
  const components = signedComponents(headers['signature-input']) ?? [...DEFAULT_SIGNED_COMPONENTS]
  const generated = new Set(['date', 'content-digest', 'digest'])
  const supplied: Record<string, string> = {}
  for (const name of components) {
    const value = headers[name]
    if (generated.has(name)) delete headers[name]
    else if (value !== undefined) supplied[name] = value
  }
  delete headers['signature']
  delete headers['signature-input']
  const signed = await signWebhook({
    body: Buffer.from(record.bodyBase64, 'base64'),
    secret,
    created: now,
    components,
    headers: supplied,
  })
  return { ...headers, date: new Date(now * 1000).toUTCString(), ...signed }
}

/**
 * Sends a stored webhook to a target once (no redirects followed, bounded by a timeout) and
 * describes the attempt. Network failures and non-2xx answers are results, not exceptions.
 * @throws {ReplayError} when the target, mode or secret make a replay impossible
 */
export async function replayWebhook(
  record: WebhookRecord,
  options: ReplayOptions
): Promise<ReplayAttemptInput> {
  const { url, mode, secret } = resolveReplay(options)
  const headers = await replayHeaders(record, mode, secret, options.now)
  const doFetch = options.fetch ?? fetch
  const at = Date.now()
  const started = performance.now()
  const base = { at, url: url.href, mode }
  try {
    const response = await doFetch(url, {
      method: 'POST',
      headers,
      body: Buffer.from(record.bodyBase64, 'base64'),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? REPLAY_TIMEOUT_MS),
    })
    const responseExcerpt = await readExcerpt(response)
    return {
      ...base,
      status: response.status,
      latencyMs: Math.round(performance.now() - started),
      error: null,
      responseExcerpt,
    }
  } catch (error) {
    return {
      ...base,
      status: null,
      latencyMs: Math.round(performance.now() - started),
      error: describeFetchError(error),
      responseExcerpt: null,
    }
  }
}

async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < EXCERPT_BYTES) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
  }
  await reader.cancel().catch(() => {})
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, EXCERPT_BYTES))
  return size > EXCERPT_BYTES ? `${text}…` : text
}

function describeFetchError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timed out'
  if (error instanceof Error) {
    const cause = error.cause as { code?: string; message?: string } | undefined
    return cause?.code ? `${cause.code}: ${cause.message ?? error.message}` : error.message
  }
  return String(error)
}
