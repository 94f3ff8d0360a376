import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  notifyDestinations,
  type NotifyConfig,
  type NotifyResult,
  type SendNotification,
} from './core/notify.ts'
import {
  createTriggerContext,
  runStep,
  type StepComponent,
  type StepExecution,
} from './pipedream-runtime.ts'
import {
  BadRequestError,
  BodyTooLargeError,
  DEFAULT_MAX_BODY_BYTES,
  describeExecution,
  errorSummary,
  json,
  readBody,
  replyFor,
  toTriggerEvent,
  type Reply,
} from './relay-http.ts'
import { createRerunSpool, type SpooledRerun } from './relay-spool.ts'
import type { TriggerContext } from './steps/pipedream-types.ts'
import type { HttpTriggerEvent } from './steps/trigger-event.ts'

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
  /**
   * Who to tell about each valid webhook (NOTIFY), sent by the relay itself after the step's first
   * run exported a verdict: with the Node sender `desktop:` and `cmd:` work here, which a
   * Pipedream step cannot run. They go out after the reply, so a slow destination never delays
   * the sender's answer (and never makes it retry). Re-runs tell nobody again.
   */
  notify?: { config: NotifyConfig; send: SendNotification } | undefined
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

export interface RelayServer {
  server: Server
  /** Resumes spooled re-runs, then resolves with the base URL once listening. */
  listen(port: number, host: string): Promise<string>
  /** Stops listening, cancels re-runs that have not started, waits for notifications under way. */
  close(): Promise<void>
  pendingReruns(): number
  /** Resolves once the notifications started so far are done (they go out after the reply). */
  notificationsSettled(): Promise<void>
}

/**
 * An HTTP server that plays Pipedream's HTTP trigger plus one code step: each request becomes a
 * trigger event (relay-http.ts), the step runs with a faithful `$`, and `$.flow.rerun` is
 * honoured with a local timer, written to `spoolDir` first (relay-spool.ts) so a restart does not
 * lose a webhook the sender was told (202) is taken care of.
 */
export function createRelayServer(options: RelayServerOptions): RelayServer {
  const log = options.log ?? (() => {})
  const warn = options.warn ?? log
  const timeouts = { ...DEFAULT_RELAY_TIMEOUTS, ...options.timeouts }
  const withBodyRaw = options.bodyRaw ?? true
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const timers = new Set<NodeJS.Timeout>()

  const spool = createRerunSpool(options.spoolDir, warn)
  const notifying = new Set<Promise<unknown>>()

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
    for (const record of await spool.load()) {
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
      await spool.save(record)
      schedule(record)
    } else if (runs > 1) {
      await spool.remove(trigger.trace_id)
    }
    return execution
  }

  /** Tells NOTIFY's destinations about a webhook the step found valid (it exported a verdict). */
  async function notifyAfter(
    execution: StepExecution,
    body: Uint8Array,
    receivedAt: Date
  ): Promise<NotifyResult[]> {
    const notify = options.notify
    const verdict = execution.exports.verdict as { messageId?: unknown } | undefined
    if (!notify || notify.config.destinations.length === 0) return []
    if (typeof verdict?.messageId !== 'string') return []
    const results = await notifyDestinations(
      { headers: {}, body, receivedAt },
      verdict.messageId,
      notify.config,
      { send: notify.send }
    )
    for (const result of results) {
      const line = `notify ${result.destination}: ${result.outcome}${result.status === null ? '' : ` (HTTP ${result.status})`}${result.error ? `: ${result.error}` : ''}`
      if (result.outcome === 'delivered') options.log?.(line)
      else warn(line)
    }
    return results
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply
    try {
      const raw = await readBody(req, maxBodyBytes)
      const trigger = createTriggerContext()
      const receivedAt = new Date()
      const execution = await execute(toTriggerEvent(req, raw, withBodyRaw), trigger, 1, null)
      const notified = notifyAfter(execution, raw, receivedAt).catch((error: unknown) =>
        warn(`notify failed: ${String(errorSummary(error).message)}`)
      )
      notifying.add(notified)
      void notified.finally(() => notifying.delete(notified))
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
    async close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      await Promise.all(notifying)
    },
    pendingReruns: () => timers.size,
    notificationsSettled: async () => {
      await Promise.all(notifying)
    },
  }
}
