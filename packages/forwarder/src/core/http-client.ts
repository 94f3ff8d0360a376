import { Agent, request, type Dispatcher } from 'undici'
import { ForwardError } from './errors.ts'
import {
  backoffDelayMs,
  errorCode,
  isConnectionError,
  isTimeoutError,
  MIN_ATTEMPT_MS,
  parseRetryAfterMs,
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
  body?: string | undefined
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

async function readReply(body: Dispatcher.ResponseData['body']): Promise<string> {
  let text = ''
  for await (const chunk of body) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
    if (text.length > MAX_REPLY_CHARS) {
      // A reply this large is an error page, not our receiver: stop reading it.
      body.destroy()
      return text.slice(0, MAX_REPLY_CHARS)
    }
  }
  return text
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
  let timeoutMs = req.attemptTimeoutMs

  for (;;) {
    attempts += 1
    timeoutMs = Math.max(1, Math.min(req.attemptTimeoutMs, req.deadline - now()))
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), timeoutMs)
    let failure: { code: 'TIMEOUT' | 'RECEIVER_UNREACHABLE'; cause: unknown } | undefined
    let retryAfterMs: number | undefined
    try {
      const response = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher,
        signal: controller.signal,
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
      retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], now())
      const waitMs = Math.max(retryAfterMs ?? 0, backoffDelayMs(attempts, random))
      if (now() + waitMs + MIN_ATTEMPT_MS > req.deadline) return result
      await sleep(waitMs)
      continue
    } catch (error) {
      if (controller.signal.aborted || isTimeoutError(error)) {
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

function toForwardError(
  req: RetryRequest,
  failure: { code: 'TIMEOUT' | 'RECEIVER_UNREACHABLE'; cause: unknown },
  attempts: number,
  timeoutMs: number
): ForwardError {
  const what =
    failure.code === 'TIMEOUT'
      ? `no reply within ${timeoutMs} ms`
      : `connection failed (${errorCode(failure.cause) ?? 'unknown error'})`
  return new ForwardError(
    failure.code,
    `${req.method} ${req.url}: ${what} after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
    { url: req.url, attempts, cause: failure.cause }
  )
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`
}
