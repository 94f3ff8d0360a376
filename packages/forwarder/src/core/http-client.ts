import { EventEmitter } from 'node:events'
import { parseRetryAfter } from '@up42-webhooks/common'
import { Agent, type Dispatcher } from 'undici'
import { ForwardError } from './errors.ts'
import {
  backoffDelayMs,
  errorCode,
  isConnectionError,
  isTimeoutError,
  MIN_ATTEMPT_MS,
} from './retry-policy.ts'

/** Everything outside our control, injectable so tests neither sleep nor touch the network. */
export interface HttpDeps {
  dispatcher?: Dispatcher | undefined
  now?: (() => number) | undefined
  sleep?: ((ms: number) => Promise<void>) | undefined
  random?: (() => number) | undefined
}

let sharedAgent: Agent | undefined

/**
 * One keep-alive agent per module instance: in Pipedream a warm worker reuses the TLS connection
 * to ngrok across executions. The short keep-alive keeps stale sockets rare; a reset one is
 * retried anyway. The process-wide global dispatcher is never touched.
 */
export function defaultDispatcher(): Dispatcher {
  sharedAgent ??= new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 10_000 })
  return sharedAgent
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

export interface RetryRequest {
  method: 'GET' | 'POST'
  /** Full URL without credentials (it goes into errors as is). */
  url: string
  headers: Record<string, string>
  body?: string | Uint8Array | undefined
  attemptTimeoutMs: number
  /** Epoch ms after which no attempt starts and no wait ends. */
  deadline: number
  retryStatuses: ReadonlySet<number>
}

export interface RetryResponse {
  statusCode: number
  headers: Record<string, string | string[] | undefined>
  text: string
  attempts: number
}

const MAX_REPLY_CHARS = 64 * 1024

/**
 * Reads the reply as text, giving up on what lies past MAX_REPLY_CHARS. Plain 'data'/'end'
 * listeners: an async iterator over the stream costs noticeably more per request on the relay's
 * hot path (see bench/relay.ts).
 */
function readReply(body: Dispatcher.ResponseData['body']): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    body.setEncoding('utf8')
    body.on('data', (chunk: string) => {
      text += chunk
      if (text.length > MAX_REPLY_CHARS) {
        // A reply this large is an error page, not our receiver: stop reading it.
        body.destroy()
        resolve(text.slice(0, MAX_REPLY_CHARS))
      }
    })
    body.on('end', () => resolve(text))
    body.on('error', reject)
  })
}

/**
 * `http://host:port/base/ping` → origin and path, so undici does not parse the URL again on every
 * attempt. The URL comes from the config, where it was already parsed and normalised.
 */
function splitUrl(url: string): { origin: string; path: string } {
  const slash = url.indexOf('/', url.indexOf('//') + 2)
  return slash === -1
    ? { origin: url, path: '/' }
    : { origin: url.slice(0, slash), path: url.slice(slash) }
}

/**
 * Sends one request, retrying connection errors, timeouts and `retryStatuses` with jittered
 * backoff (Retry-After wins when longer) until `deadline`. A written-out loop rather than undici's
 * RetryAgent: RetryAgent has no overall time budget, throws instead of returning the last
 * retryable response, hides the attempt count and refuses POST by default.
 *
 * Returns the final response (any status); throws ForwardError TIMEOUT / RECEIVER_UNREACHABLE when
 * no response came back.
 */
export async function requestWithRetry(
  req: RetryRequest,
  deps: HttpDeps = {}
): Promise<RetryResponse> {
  const dispatcher = deps.dispatcher ?? defaultDispatcher()
  const now = deps.now ?? Date.now
  const sleep = deps.sleep ?? defaultSleep
  const random = deps.random ?? Math.random
  let attempts = 0
  const { origin, path } = splitUrl(req.url)

  for (;;) {
    attempts += 1
    const timeoutMs = Math.max(1, Math.min(req.attemptTimeoutMs, req.deadline - now()))
    // undici takes an EventEmitter as the abort signal; it is much cheaper than an AbortController.
    const signal = new EventEmitter()
    let aborted = false
    const timer = setTimeout(() => {
      aborted = true
      signal.emit('abort')
    }, timeoutMs)
    let failure: Failure
    try {
      const response = await dispatcher.request({
        origin,
        path,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      const text = await readReply(response.body)
      const result: RetryResponse = {
        statusCode: response.statusCode,
        headers: response.headers,
        text,
        attempts,
      }
      if (!req.retryStatuses.has(response.statusCode)) return result
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now())
      const waitMs = Math.max(retryAfterMs ?? 0, backoffDelayMs(attempts, random))
      if (now() + waitMs + MIN_ATTEMPT_MS > req.deadline) return result
      await sleep(waitMs)
      continue
    } catch (error) {
      if (aborted || isTimeoutError(error)) {
        failure = { code: 'TIMEOUT', cause: error }
      } else {
        failure = { code: 'RECEIVER_UNREACHABLE', cause: error }
        if (!isConnectionError(error)) throw toForwardError(req, failure, attempts, timeoutMs)
      }
    } finally {
      clearTimeout(timer)
    }
    const waitMs = backoffDelayMs(attempts, random)
    if (now() + waitMs + MIN_ATTEMPT_MS > req.deadline) {
      throw toForwardError(req, failure, attempts, timeoutMs)
    }
    await sleep(waitMs)
  }
}

interface Failure {
  code: 'TIMEOUT' | 'RECEIVER_UNREACHABLE'
  cause: unknown
}

function toForwardError(
  req: RetryRequest,
  failure: Failure,
  attempts: number,
  timeoutMs: number
): ForwardError {
  const what =
    failure.code === 'TIMEOUT'
      ? `no reply within ${timeoutMs} ms`
      : `connection failed (${errorCode(failure.cause) ?? 'unknown error'})`
  return new ForwardError(
    `${req.method} ${req.url}: ${what} after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
    { code: failure.code, url: req.url, attempts, cause: failure.cause }
  )
}
