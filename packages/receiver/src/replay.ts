import type { ErrorOptions } from '@up42-webhooks/common'
import { encodeBasicAuth, signedComponents, splitUrlCredentials } from '@up42-webhooks/common'
import { DEFAULT_SIGNED_COMPONENTS, signWebhook } from '@up42-webhooks/shared'
import { Agent, fetch as undiciFetch } from 'undici'
import { replayableHeaders } from './replay-headers.ts'
import { checkReplayTarget, pinnedLookup } from './replay-target.ts'
import type { ReplaySelf, ResolveHost } from './replay-target.ts'
import type { ReplayAttemptInput, WebhookRecord } from './store.ts'

/**
 * The replay modes, by meaning: the stored bytes unchanged, or re-signed with a fresh `created`.
 * The inspector page gets this object from the server (`data-replay-modes`).
 */
export const REPLAY_MODE = { raw: 'raw', resign: 'resign' } as const
export const REPLAY_MODES = Object.values(REPLAY_MODE)
export type ReplayMode = (typeof REPLAY_MODE)[keyof typeof REPLAY_MODE]

export type ReplayErrorCode =
  'NO_TARGET' | 'BAD_TARGET' | 'FORBIDDEN_TARGET' | 'BAD_MODE' | 'NO_SECRET'

/** A replay request that cannot be sent at all (nothing is attempted or stored). */
export class ReplayError extends Error {
  override name = 'ReplayError'
  code: ReplayErrorCode
  constructor(message: string, options: ErrorOptions<ReplayErrorCode>) {
    super(message, { cause: options.cause })
    this.code = options.code
  }
}

export interface ReplayOptions {
  /** Target; defaults to `defaultUrl`. */
  url?: string | null
  defaultUrl?: string | null
  mode: string
  /** UP42_WEBHOOK_SECRET; the first one signs when several are configured. */
  secret?: string | string[] | null
  /**
   * Sends the request; default undici's `fetch`. Gets the checked target and, as `dispatcher`, an
   * undici Agent that connects only to the checked addresses.
   */
  fetch?: typeof fetch
  timeoutMs?: number
  /** Unix seconds for the fresh signature; defaults to the clock. */
  now?: number
  /** Resolves the target's host name; default `dns.lookup`, all addresses. */
  resolve?: ResolveHost
  /** This receiver's port and address: a replay there is refused. */
  self?: ReplaySelf | null
  /** Aborts the replay (the receiver is shutting down); it is then recorded as aborted. */
  signal?: AbortSignal
}

/** How the receiver bounds replays; `createApp({ replay })`. */
export interface ReplaySettings {
  /** Most replays in flight at once; one more gets 503 with `Retry-After`. Default 8. */
  concurrency?: number
  /** Abort on shutdown: in-flight replays stop (recorded as aborted), new ones get 503. */
  signal?: AbortSignal
  /** Resolves target host names; default `dns.lookup`, all addresses. */
  resolve?: ResolveHost
}

export const DEFAULT_REPLAY_CONCURRENCY = 8
const REPLAY_TIMEOUT_MS = 10_000
const EXCERPT_BYTES = 2048

/** Checks the target URL and mode before anything is sent. */
function resolveReplay(options: ReplayOptions): {
  url: URL
  authorization: string | null
  mode: ReplayMode
  secret: string | null
} {
  const raw = options.url?.trim() || options.defaultUrl?.trim()
  if (!raw) {
    throw new ReplayError('no replay target: pass {"url": "http://…"} or set REPLAY_URL', {
      code: 'NO_TARGET',
    })
  }
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch (error) {
    // not echoed: it may hold user:password
    throw new ReplayError('replay target is not a URL', { code: 'BAD_TARGET', cause: error })
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ReplayError(`replay target must be http(s), got ${parsed.protocol}`, {
      code: 'BAD_TARGET',
    })
  }
  const { url, authorization } = takeCredentials(parsed)
  if (!(REPLAY_MODES as readonly string[]).includes(options.mode)) {
    throw new ReplayError(`mode must be "raw" or "resign", got ${JSON.stringify(options.mode)}`, {
      code: 'BAD_MODE',
    })
  }
  const secrets = [options.secret ?? []].flat().filter((s) => s !== '')
  const secret = secrets[0] ?? null
  if (options.mode === REPLAY_MODE.resign && secret === null) {
    throw new ReplayError('resign needs UP42_WEBHOOK_SECRET to be configured on the receiver', {
      code: 'NO_SECRET',
    })
  }
  return { url, authorization, mode: options.mode as ReplayMode, secret }
}

/**
 * Moves `user:password@` out of the URL into a basic `authorization` header, so the URL that is
 * stored, shown and sent carries no credential (fetch refuses such URLs anyway).
 */
function takeCredentials(url: URL): { url: URL; authorization: string | null } {
  if (url.username === '' && url.password === '') return { url, authorization: null }
  try {
    const split = splitUrlCredentials(url)
    return {
      url: split.url,
      authorization: encodeBasicAuth(split.username ?? '', split.password ?? ''),
    }
  } catch (error) {
    // URIError (a bad %-escape) or TypeError (":" in the user name); neither is echoed
    throw new ReplayError('replay target has a badly escaped user or password', {
      code: 'BAD_TARGET',
      cause: error,
    })
  }
}

/** The headers a replay sends: the stored ones, re-signed with a fresh `created` for `resign`. */
async function replayHeaders(
  record: WebhookRecord,
  mode: ReplayMode,
  secret: string | null,
  now = Math.floor(Date.now() / 1000)
): Promise<Record<string, string>> {
  const headers = replayableHeaders(record.headers)
  if (mode === REPLAY_MODE.raw || secret === null) return headers
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
  const { url, authorization, mode, secret } = resolveReplay(options)
  const headers = await replayHeaders(record, mode, secret, options.now)
  if (authorization !== null) headers['authorization'] = authorization
  const at = Date.now()
  const started = performance.now()
  const base = { at, url: url.href, mode }
  const failed = (error: string): ReplayAttemptInput => ({
    ...base,
    status: null,
    latencyMs: Math.round(performance.now() - started),
    error,
    responseExcerpt: null,
  })

  // one budget for resolving, connecting and reading the answer
  const timeout = AbortSignal.timeout(options.timeoutMs ?? REPLAY_TIMEOUT_MS)
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout
  const failure = (error: unknown) =>
    failed(
      options.signal?.aborted ? 'aborted: the receiver is shutting down' : describeFetchError(error)
    )

  let target: Awaited<ReturnType<typeof checkReplayTarget>>
  try {
    // getaddrinfo takes no signal: stop waiting for it, as for the answer
    target = await untilAborted(
      checkReplayTarget(url, {
        ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
        self: options.self ?? null,
      }),
      signal
    )
  } catch (error) {
    return failure(error)
  }
  if (target.refusal !== null) {
    throw new ReplayError(`replay to ${url.host} refused: ${target.refusal}`, {
      code: 'FORBIDDEN_TARGET',
    })
  }

  // one connection, to the checked addresses only; closed when the answer is read
  const dispatcher = new Agent({ connect: { lookup: pinnedLookup(target.addresses) } })
  // undici's fetch is Node's own, typed by its package rather than by lib.dom
  const doFetch = options.fetch ?? (undiciFetch as typeof fetch)
  try {
    const response = await doFetch(url, {
      method: 'POST',
      headers,
      body: Buffer.from(record.bodyBase64, 'base64'),
      redirect: 'manual',
      signal,
      // an undici option that lib.dom's RequestInit does not know
      dispatcher,
    } as RequestInit)
    const responseExcerpt = await readExcerpt(response)
    return {
      ...base,
      status: response.status,
      latencyMs: Math.round(performance.now() - started),
      error: null,
      responseExcerpt,
    }
  } catch (error) {
    return failure(error)
  } finally {
    await dispatcher.destroy().catch(() => {})
  }
}

/** Settles with `promise`, or rejects with the signal's reason once it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
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
