import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { WEBHOOK_VERIFICATION_ERROR_CODES } from '@up42-webhooks/shared'
import { normalizeHeaders, type HttpTriggerEvent } from './steps/trigger-event.ts'
import {
  createTriggerContext,
  runStep,
  type StepComponent,
  type StepExecution,
} from './pipedream-runtime.ts'
import type { TriggerContext } from './steps/pipedream-types.ts'

export interface RelayServerOptions {
  /** The step to run for each request: normally the built relay.mjs. */
  component: StepComponent
  props?: Record<string, unknown> | undefined
  /**
   * Hand the step the raw body as `event.bodyRaw` (default). Off reproduces Pipedream's workflow
   * trigger, which documents only the parsed body, so verification uses JSON.stringify(body).
   */
  bodyRaw?: boolean | undefined
  maxBodyBytes?: number | undefined
  /**
   * Directory where scheduled re-runs are written before the sender gets its 202, and deleted
   * once done; `listen` resumes what it finds. Without it a re-run lives only in memory.
   */
  spoolDir?: string | undefined
  /** One line per request; leave out to run quiet. */
  log?: ((line: string) => void) | undefined
  /** Problems worth seeing even when quiet (a corrupt spool file); defaults to `log`. */
  warn?: ((line: string) => void) | undefined
  /** Node's HTTP server timeouts; the defaults drop a slow-header (slowloris) client in ~10 s. */
  timeouts?: Partial<RelayTimeouts> | undefined
}

export interface RelayTimeouts {
  /** The request line and headers must arrive within this (`server.headersTimeout`). */
  headersMs: number
  /** The whole request, body included, must arrive within this (`server.requestTimeout`). */
  requestMs: number
  /** An idle keep-alive connection is closed after this (`server.keepAliveTimeout`). */
  keepAliveMs: number
}

/**
 * Node's defaults (60 s for headers, 300 s per request) let one slow client hold a socket for
 * minutes. Senders are UP42/Pipedream-like clients or `simulate` that send at once; a step run
 * taking FORWARD_BUDGET happens after the request is read, so requestMs does not cut it short.
 */
export const DEFAULT_RELAY_TIMEOUTS: RelayTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
}

/** A re-run waiting in the spool directory. */
interface SpooledRerun {
  event: HttpTriggerEvent
  trigger: Required<TriggerContext>
  runs: number
  rerunContext: unknown
  dueAt: number
}

export interface RelayServer {
  server: Server
  /** Resumes spooled re-runs, then resolves with the base URL once listening. */
  listen(port: number, host: string): Promise<string>
  /** Stops listening and cancels re-runs that have not started. */
  close(): Promise<void>
  pendingReruns(): number
}

// Pipedream's own limit for HTTP trigger payloads is in this range; bigger bodies get a 413.
const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
const VERIFICATION_CODES: ReadonlySet<string> = new Set(WEBHOOK_VERIFICATION_ERROR_CODES)

class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError'
}

/** A request no HTTP trigger would turn into an event (a Host header that is not a host). */
export class BadRequestError extends Error {
  override name = 'BadRequestError'
  code = 'BAD_REQUEST'
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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

interface Reply {
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) }
}

function errorSummary(error: unknown): Record<string, unknown> {
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

/** Checks what a spool file holds before it is trusted with a re-run; throws saying what is off. */
function parseSpooled(text: string, expectedName: (traceId: string) => string, name: string) {
  const record = JSON.parse(text) as Partial<SpooledRerun> | null
  const isObject = (value: unknown) => typeof value === 'object' && value !== null
  if (!isObject(record)) throw new Error('not a JSON object')
  const { event, trigger, runs, dueAt } = record as Partial<SpooledRerun>
  if (!isObject(event) || !isObject(event?.headers)) throw new Error('no event with headers')
  if (![trigger?.id, trigger?.trace_id, trigger?.ts].every((v) => typeof v === 'string'))
    throw new Error('no trigger context')
  if (!Number.isInteger(runs) || (runs ?? 0) < 1) throw new Error('no run number')
  if (typeof dueAt !== 'number' || !Number.isFinite(dueAt)) throw new Error('no due time')
  // Finishing a re-run deletes the file named after its trace id; any other name would stay.
  if (path.basename(expectedName(trigger?.trace_id ?? '')) !== name)
    throw new Error('its trace id does not match the file name')
  return record as SpooledRerun
}

/** What the sender sees: the step's own `$.respond`, else its outcome as JSON. */
function replyFor(execution: StepExecution, traceId: string): Reply {
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

function describeExecution(execution: StepExecution): string {
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

/**
 * An HTTP server that plays Pipedream's HTTP trigger plus one code step: each request becomes a
 * trigger event, the step runs with a faithful `$`, and `$.flow.rerun` is honoured with a local
 * timer, written to `spoolDir` first so a restart does not lose a webhook the sender was told
 * (202) is taken care of.
 */
export function createRelayServer(options: RelayServerOptions): RelayServer {
  const log = options.log ?? (() => {})
  const warn = options.warn ?? log
  const timeouts = { ...DEFAULT_RELAY_TIMEOUTS, ...options.timeouts }
  const withBodyRaw = options.bodyRaw ?? true
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const timers = new Set<NodeJS.Timeout>()
  const spoolDir = options.spoolDir

  const spoolFile = (traceId: string) =>
    path.join(spoolDir ?? '', `${traceId.replace(/[^\w-]/g, '_')}.json`)

  async function spool(record: SpooledRerun): Promise<void> {
    if (!spoolDir) return
    await mkdir(spoolDir, { recursive: true })
    const file = spoolFile(record.trigger.trace_id)
    await writeFile(`${file}.tmp`, JSON.stringify(record), { flush: true })
    await rename(`${file}.tmp`, file)
  }

  async function unspool(traceId: string): Promise<void> {
    if (spoolDir) await rm(spoolFile(traceId), { force: true })
  }

  function schedule(record: SpooledRerun): void {
    const timer = setTimeout(
      () => {
        timers.delete(timer)
        execute(record.event, record.trigger, record.runs, record.rerunContext).catch(
          (error: unknown) => log(`re-run failed to start: ${String(errorSummary(error).message)}`)
        )
      },
      Math.max(0, record.dueAt - Date.now())
    )
    timers.add(timer)
  }

  async function resumeSpooled(): Promise<void> {
    if (!spoolDir) return
    const names = await readdir(spoolDir).catch(() => [] as string[])
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = path.join(spoolDir, name)
      let record: SpooledRerun
      try {
        record = parseSpooled(await readFile(file, 'utf8'), spoolFile, name)
      } catch (error) {
        // One bad file (a crash mid-edit, a hand-made copy) must not keep the others from running.
        const moved = await rename(file, `${file}.corrupt`).then(
          () => true,
          () => false
        )
        warn(
          `warning: spool file ${file} is not a re-run (${errorSummary(error).message as string}); ` +
            (moved ? `moved aside to ${name}.corrupt` : 'could not move it aside')
        )
        continue
      }
      log(`resuming re-run ${record.runs} of trace=${record.trigger.trace_id}`)
      schedule(record)
    }
  }

  async function execute(
    event: HttpTriggerEvent,
    trigger: Required<TriggerContext>,
    runs: number,
    rerunContext: unknown
  ): Promise<StepExecution> {
    const execution = await runStep(options.component, {
      event,
      triggerContext: trigger,
      props: options.props,
      runs,
      rerunContext,
    })
    // An optional call: without a logger (the relay runs quiet under load) the line is not built.
    options.log?.(
      `${event.method} ${event.path} trace=${trigger.trace_id} run=${runs}: ${describeExecution(execution)}`
    )
    const rerun = execution.rerun
    // Pipedream stops re-running once maxRetries re-runs happened and moves on.
    if (rerun && runs <= rerun.maxRetries) {
      const record = {
        event,
        trigger,
        runs: runs + 1,
        rerunContext: rerun.context,
        dueAt: Date.now() + rerun.delayMs,
      }
      await spool(record)
      schedule(record)
    } else if (runs > 1) {
      await unspool(trigger.trace_id)
    }
    return execution
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply
    try {
      const raw = await readBody(req, maxBodyBytes)
      const trigger = createTriggerContext()
      const execution = await execute(toTriggerEvent(req, raw, withBodyRaw), trigger, 1, null)
      reply = replyFor(execution, trigger.trace_id)
    } catch (error) {
      if (error instanceof BadRequestError) {
        reply = json(400, { outcome: 'error', error: errorSummary(error) })
      } else if (error instanceof BodyTooLargeError) {
        reply = json(413, { outcome: 'error', error: errorSummary(error) })
        reply.headers.connection = 'close'
      } else {
        throw error
      }
    }
    if (!res.headersSent) res.writeHead(reply.status, reply.headers).end(reply.body)
  }

  // The checking interval bounds how late past headersMs a slow client is dropped.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      warn(`internal error: ${errorSummary(error).message as string}`)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end('{"outcome":"error"}')
    })
  })
  server.headersTimeout = timeouts.headersMs
  server.requestTimeout = timeouts.requestMs
  server.keepAliveTimeout = timeouts.keepAliveMs

  return {
    server,
    async listen(port, host) {
      await resumeSpooled()
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
          resolve(`http://${shown}:${address.port}`)
        })
      })
    },
    close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      return new Promise((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
    },
    pendingReruns: () => timers.size,
  }
}
