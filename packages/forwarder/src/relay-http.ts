// The local relay's HTTP side: a Node request becomes the event Pipedream's HTTP trigger builds,
// and a step's execution becomes the reply the sender sees. No timers, no files (see
// create-relay-server.ts and relay-spool.ts).
import type { IncomingMessage } from 'node:http'
import { WEBHOOK_VERIFICATION_ERROR_CODES } from '@up42-webhooks/shared'
import type { StepExecution } from './pipedream-runtime.ts'
import { normalizeHeaders, type HttpTriggerEvent } from './steps/trigger-event.ts'

// Pipedream's own limit for HTTP trigger payloads is in this range; bigger bodies get a 413.
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
const VERIFICATION_CODES: ReadonlySet<string> = new Set(WEBHOOK_VERIFICATION_ERROR_CODES)

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError'
}

/** A request no HTTP trigger would turn into an event (a Host header that is not a host). */
export class BadRequestError extends Error {
  override name = 'BadRequestError'
  code = 'BAD_REQUEST'
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      // Past the limit the rest is read and dropped, so the 413 reaches the sender.
      if (size > limit) reject(new BodyTooLargeError(`body over ${limit} bytes`))
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** The event Pipedream's HTTP trigger builds: lowercase headers, JSON parsed, query as object. */
export function toTriggerEvent(
  req: IncomingMessage,
  raw: Buffer,
  withBodyRaw: boolean
): HttpTriggerEvent {
  const headers = normalizeHeaders(req.headers)
  let url: URL
  try {
    url = new URL(req.url ?? '/', `http://${headers.host ?? 'localhost'}`)
  } catch (cause) {
    // The value is not echoed: it is whatever the client sent.
    throw new BadRequestError('invalid Host header or request target', { cause })
  }
  const text = raw.toString('utf8')
  let body: unknown = text === '' ? undefined : text
  if (text !== '' && /\bjson\b/i.test(headers['content-type'] ?? '')) {
    try {
      body = JSON.parse(text)
    } catch {
      // Pipedream hands an unparsable body over as a string; so do we.
    }
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    ...(withBodyRaw ? { bodyRaw: text } : {}),
    url: `${url.host}${url.pathname}`,
    client_ip: req.socket.remoteAddress ?? '',
  }
}

export interface Reply {
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

export function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) }
}

export function errorSummary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) }
  const code = (error as { code?: unknown }).code
  return { name: error.name, ...(typeof code === 'string' ? { code } : {}), message: error.message }
}

function outcomeStatus(outcome: { outcome?: unknown; code?: unknown }): number {
  switch (outcome.outcome) {
    case 'rerun-scheduled':
      return 202
    case 'rejected':
      return typeof outcome.code === 'string' && VERIFICATION_CODES.has(outcome.code) ? 401 : 400
    default:
      return 200
  }
}

/** What the sender sees: the step's own `$.respond`, else its outcome as JSON. */
export function replyFor(execution: StepExecution, traceId: string): Reply {
  const response = execution.response
  if (response) {
    const body =
      typeof response.body === 'string' || Buffer.isBuffer(response.body)
        ? response.body
        : JSON.stringify(response.body ?? '')
    return { status: response.status, headers: { ...(response.headers ?? {}) }, body }
  }
  if (execution.error !== undefined) {
    const error = errorSummary(execution.error)
    // A step reports a configuration mistake as Pipedream's ConfigurationError.
    const config = error.name === 'ConfigurationError' || error.name === 'ConfigError'
    return json(config ? 500 : 502, { outcome: 'error', error, traceId })
  }
  const outcome = execution.exports.outcome
  if (typeof outcome === 'object' && outcome !== null) {
    return json(outcomeStatus(outcome), { ...outcome, traceId })
  }
  if (execution.exitReason !== undefined) {
    return json(200, { outcome: 'exited', reason: execution.exitReason, traceId })
  }
  return json(200, { outcome: 'completed', returnValue: execution.returnValue ?? null, traceId })
}

export function describeExecution(execution: StepExecution): string {
  const outcome = execution.exports.outcome as
    { outcome?: string; key?: unknown; reason?: string } | undefined
  if (execution.error !== undefined) {
    const error = errorSummary(execution.error)
    return `error ${String(error.name)}${error.code ? ` ${String(error.code)}` : ''}: ${String(error.message)}`
  }
  if (outcome?.outcome === 'forwarded') return `forwarded, key ${String(outcome.key)}`
  if (outcome?.outcome) return `${outcome.outcome}: ${outcome.reason ?? ''}`
  return execution.exitReason !== undefined ? `exited: ${execution.exitReason}` : 'completed'
}
