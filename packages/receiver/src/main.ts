import { mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { serve } from '@hono/node-server'
import { attachAccessLog } from './access-log.ts'
import { describeAllowedHosts } from './allowed-hosts.ts'
import { createApp } from './app.ts'
import { readReceiverConfig, USAGE } from './config.ts'
import { routeDeliveries } from './delivery-routing.ts'
import { createDispatchTargets } from './destination-senders.ts'
import { createDispatcher } from './dispatcher.ts'
import { ConfigError, StoreError } from './errors.ts'
import { httpServerOptions } from './http-server.ts'
import { isOrphanedConnectionError, isPostgresUrl, redactUrl } from './postgres-errors.ts'
import { createPostgresStore } from './postgres-store.ts'
import { createSqliteStore } from './sqlite-store.ts'
import type { WebhookStore } from './store.ts'
import { storeFedEvents } from './store-events.ts'
import { testDestinations } from './test-destinations.ts'
import { createWebhookEvents } from './webhook-events.ts'

// long-lived responses (the inspector's live stream) get this long to end on their own
const SHUTDOWN_GRACE_MS = 5000

const say = (line: string) => process.stdout.write(`${line}\n`)
const complain = (line: string) => process.stderr.write(`receiver: ${line}\n`)

function readConfigOrExit() {
  try {
    return readReceiverConfig(process.env, process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    complain(error.message)
    process.exit(2)
  }
}

const config = readConfigOrExit()
if (config.help) {
  say(USAGE)
  process.exit(0)
}

if (config.testDestinations) {
  if (config.destinations.destinations.length === 0) {
    complain(
      '--test-destinations: no destinations configured (RECEIVER_NOTIFY, RECEIVER_FORWARD_TO, RECEIVER_CONFIG)'
    )
    process.exit(2)
  }
  const ok = await testDestinations(config.destinations, { secret: config.secret, say })
  process.exit(ok ? 0 : 1)
}

const postgresUrl = isPostgresUrl(config.dbPath) ? config.dbPath : null
if (postgresUrl !== null) {
  // A PostgreSQL restart must not end the receiver (it answers 503 until the server is back):
  // postgres.js's orphaned connection errors are logged; any other unhandled rejection still
  // ends the process, as Node's default does.
  process.on('unhandledRejection', (reason) => {
    if (!isOrphanedConnectionError(reason)) throw reason
    complain(`PostgreSQL connection lost (${reason.code}); reconnecting on the next query`)
  })
}

async function openStore(): Promise<WebhookStore> {
  if (postgresUrl !== null) {
    try {
      return await createPostgresStore({ url: postgresUrl, poolSize: config.dbPool, live: true })
    } catch (error) {
      // StoreError messages name the URL without its password; the cause is the server's word
      const detail =
        error instanceof StoreError && error.cause instanceof Error
          ? `: ${error.cause.message}`
          : ''
      complain(`${(error as Error).message}${detail}`)
      process.exit(1)
    }
  }
  try {
    if (config.dbPath !== ':memory:')
      mkdirSync(path.dirname(path.resolve(config.dbPath)), { recursive: true })
    return createSqliteStore({ path: config.dbPath })
  } catch (error) {
    const detail =
      error instanceof StoreError && error.cause instanceof Error ? `: ${error.cause.message}` : ''
    // a folder or file we may not write is a configuration mistake, like a bad variable: exit 2
    const unwritable =
      (error instanceof StoreError && error.code === 'UNWRITABLE') ||
      ['EACCES', 'EROFS', 'ENOTDIR', 'EEXIST', 'EPERM'].includes(
        String((error as { code?: unknown }).code)
      )
    const reason = error instanceof StoreError ? detail.slice(2) : (error as Error).message
    complain(
      unwritable
        ? `RECEIVER_DB (--db) ${path.resolve(config.dbPath)} is not writable (${reason}); check the permissions of the file and its folder`
        : `${(error as Error).message}${detail}`
    )
    process.exit(unwritable ? 2 : 1)
  }
}

const store = await openStore()

// aborted on shutdown: a replay to a target that never answers must not hold the exit
const replays = new AbortController()
// with PostgreSQL, `stored` comes from the database: every instance's dispatcher wakes for it
const events = storeFedEvents(createWebhookEvents(), store)
const { destinations: configured, retryScheduleMs, retryMaxAgeMs, timeoutMs } = config.destinations
const senders = createDispatchTargets(config.destinations, { secret: config.secret })
// the lease outlasts one attempt's timeout, so a live owner never loses a delivery in flight
const dispatcher = createDispatcher({
  store,
  events,
  destinations: senders.targets,
  retrySchedule: retryScheduleMs,
  retryMaxAgeMs,
  leaseMs: timeoutMs + 5_000,
})
const app = createApp({
  store,
  events,
  routeDeliveries: (input) => routeDeliveries(input.fields, input.receivedAt, configured),
  destinations: configured.map(({ name, kind, display }) => ({ name, kind, display })),
  serverHeader: config.serverHeader,
  maxBodyBytes: config.maxBodyBytes,
  auth: config.auth,
  allowedHosts: [config.host, ...config.allowedHosts],
  secret: config.secret,
  requireSignature: config.requireSignature,
  requireBodyDigest: config.requireBodyDigest,
  signatureMaxAgeSeconds: config.signatureMaxAgeSeconds,
  replayUrl: config.replayUrl,
  replay: { concurrency: config.replayConcurrency, signal: replays.signal },
})

const server = serve(
  { fetch: app.fetch, port: config.port, hostname: config.host, ...httpServerOptions() },
  (info: AddressInfo) => {
    const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
    const database =
      postgresUrl !== null
        ? `${redactUrl(postgresUrl)} (PostgreSQL, pool of ${config.dbPool})`
        : config.dbPath === ':memory:'
          ? ':memory: (nothing survives a restart)'
          : path.resolve(config.dbPath)
    const signatures =
      config.secret === null
        ? 'not checked (no UP42_WEBHOOK_SECRET)'
        : config.requireBodyDigest
          ? 'verified, required to cover the body'
          : config.requireSignature
            ? 'verified, required'
            : 'verified, recorded as a verdict'
    const hosts =
      config.auth === null
        ? `${describeAllowedHosts([config.host, ...config.allowedHosts])}; other Hosts get only /ping and POST /receive-webhooks`
        : 'any (basic auth is on)'
    // one write, so whoever waits for the "listening" line also has the rest
    say(
      [
        `up42-webhooks receiver listening on http://${host}:${info.port}`,
        `  database: ${database}`,
        `  basic auth: ${config.auth === null ? 'off' : `on (user ${config.auth.username})`}`,
        `  allowed hosts: ${hosts}`,
        `  signatures: ${signatures}`,
        `  access log: ${config.quiet ? 'off (--quiet)' : 'on (nginx combined format)'}`,
        `  destinations: ${configured.length === 0 ? 'none' : configured.map((d) => `${d.name} (${d.kind === 'notify' ? 'notify' : 'forward'} ${d.display})`).join(', ')}`,
      ].join('\n')
    )
    dispatcher.start()
  }
) as Server

server.on('error', (error: NodeJS.ErrnoException) => {
  complain(`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`)
  process.exit(1)
})

if (!config.quiet) attachAccessLog(server, say)

let inFlight = 0
let stopping = false
server.on('request', (_req, res) => {
  inFlight++
  res.once('close', () => {
    inFlight--
    // finished responses leave keep-alive sockets open; close them once nothing is pending
    if (stopping && inFlight === 0) server.closeAllConnections()
  })
})

function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return
  stopping = true
  say(`${signal}: no new connections, finishing ${inFlight} in-flight request(s)`)
  replays.abort()
  // no new attempts; those in flight are aborted and recorded as due again (webhooks still
  // arriving keep their deliveries pending for the next run), all before the store closes
  const dispatching = dispatcher.stop()
  server.close(() => {
    dispatching
      .then(() => senders.close())
      .then(() => store.close())
      .then(
        () => {
          say('database closed, bye')
          process.exit(0)
        },
        (error: unknown) => {
          complain(`closing the database failed: ${(error as Error).message}`)
          process.exit(1)
        }
      )
  })
  server.closeIdleConnections()
  if (inFlight === 0) server.closeAllConnections()
  setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref()
}

process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
