// pnpm bench:receiver — durable receiver vs a raw node:http receiver that keeps bodies in an
// array, both as child processes driven by autocannon (127.0.0.1, 50 connections, 10 s, a
// ~1.2 KB job.status body with a unique messageId per request so dedup never short-circuits),
// in interleaved rounds so a neighbour's load hits both alike; then a timed /dump-webhooks of
// 100,000 stored webhooks with the receiver's RSS sampled. The receiver runs as in production:
// the esbuild bundle (`pnpm build`) on plain node.
// Targets (issue 3): throughput >= 0.6x baseline, p99 <= 10 ms, dump of 100k <= 1 s with RSS
// growth < 50 MB, idle RSS <= 70 MB.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE_MAIN, bundleReceiver } from '@up42-webhooks/receiver/bundle'
import { createSqliteStore } from '@up42-webhooks/receiver'
import { toWebhookInput } from '@up42-webhooks/receiver/intake'

// autocannon is a devDependency of the receiver package, not of the root
const requireFromReceiver = createRequire(
  new URL('../packages/receiver/package.json', import.meta.url)
)

interface Histogram {
  average: number
  p50: number
  p99: number
}
interface AutocannonResult {
  requests: Histogram
  latency: Histogram
  errors: number
  timeouts: number
  non2xx: number
  duration: number
}
interface AutocannonRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string
}
type Autocannon = (options: {
  url: string
  connections: number
  duration: number
  requests: { setupRequest: (req: AutocannonRequest) => AutocannonRequest }[]
}) => Promise<AutocannonResult>
const autocannon = requireFromReceiver('autocannon') as Autocannon

const CONNECTIONS = 50
const DURATION_S = 10
const WARMUP_S = 1
const ROUNDS = 2
const DUMP_COUNT = 100_000
const MAIN = fileURLToPath(new URL('../packages/receiver/src/main.ts', import.meta.url))

const PAD = 'x'.repeat(760)
let sequence = 0
/** A job.status webhook of ~1.2 KB with a fresh messageId. */
function jobStatusBody(): string {
  sequence++
  return JSON.stringify({
    event: 'job.status',
    liveMode: true,
    messageId: `bench-${process.pid}-${sequence}`,
    timestamp: '2022-07-25T16:02:34Z',
    body: {
      id: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
      status: sequence % 5 === 0 ? 'SUCCEEDED' : 'RUNNING',
      startedAt: '2022-07-25T15:59:00Z',
      finishedAt: null,
      tasks: [
        { id: 'f267fda9-818b-49eb-bd5b-c48d9fce160a', status: 'SUCCEEDED', note: PAD },
        { id: 'd23c1a60-960e-4850-91f5-d66a09ee582c', status: 'RUNNING' },
      ],
    },
  })
}

const RAW_RECEIVER = `
const http = require('node:http')
const bodies = []
const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    bodies.push(Buffer.concat(chunks))
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"msg": "value with key ' + bodies.length + ' stored"}\\n')
  })
})
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port))
`

interface Child {
  process: ChildProcess
  url: string
}

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

function start(args: string[], env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, args, {
    cwd: path.dirname(MAIN),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.add(child)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) resolve({ process: child, url: match[1]! })
    })
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)))
  })
}

async function stop(child: Child): Promise<void> {
  const exited = new Promise((resolve) => child.process.once('exit', resolve))
  child.process.kill('SIGTERM')
  await exited
  children.delete(child.process)
}

const receiverArgs = (db: string) => ['--quiet', '--port', '0', '--db', db]
const startReceiver = (db: string) => start([BUNDLE_MAIN, ...receiverArgs(db)])
const startReceiverUnderTsx = (db: string) => start(['--import', 'tsx', MAIN, ...receiverArgs(db)])

/** User + system CPU time of a process so far, in microseconds (Linux /proc, 100 ticks/s). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1])
  return kb / 1024
}

async function load(url: string, seconds: number): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections: CONNECTIONS,
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
}

interface Measured extends AutocannonResult {
  cpuMicrosPerRequest: number
}

async function drive(child: Child): Promise<Measured> {
  await load(child.url, WARMUP_S)
  const cpuBefore = cpuMicros(child.process.pid!)
  const result = await load(child.url, DURATION_S)
  const cpu = cpuMicros(child.process.pid!) - cpuBefore
  if (result.errors + result.timeouts + result.non2xx > 0) {
    throw new Error(
      `${child.url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`
    )
  }
  return { ...result, cpuMicrosPerRequest: cpu / (result.requests.average * result.duration) }
}

/** Reads a whole response with node:http, as fast as the socket delivers; returns bytes and tail. */
function download(url: string): Promise<{ bytes: number; tail: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0
      let last: Buffer = Buffer.alloc(0)
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.byteLength
        last = chunk
      })
      res.on('end', () => resolve({ bytes, tail: last.toString('utf8').slice(-64) }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

async function idleRssMb(child: Child): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1000))
  return rssMb(child.process.pid!, 'VmRSS')
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-receiver-'))
try {
  const bodySize = Buffer.byteLength(jobStatusBody())

  await bundleReceiver()

  const baselines: Measured[] = []
  const receivers: Measured[] = []
  let loadPeakRss = 0
  for (let round = 0; round < ROUNDS; round++) {
    const raw = await start(['-e', RAW_RECEIVER])
    baselines.push(await drive(raw))
    await stop(raw)
    const receiver = await startReceiver(path.join(dir, `load-${round}.db`))
    receivers.push(await drive(receiver))
    loadPeakRss = Math.max(loadPeakRss, rssMb(receiver.process.pid!, 'VmHWM'))
    await stop(receiver)
  }

  // prefill straight through the store (same code path as /receive-webhooks minus HTTP)
  const dumpDb = path.join(dir, 'dump.db')
  const store = createSqliteStore({ path: dumpDb })
  const prefillStart = performance.now()
  for (let i = 0; i < DUMP_COUNT; i += 5000) {
    await Promise.all(
      Array.from({ length: Math.min(5000, DUMP_COUNT - i) }, () =>
        store.insert(
          toWebhookInput({ body: Buffer.from(jobStatusBody()), headers: {}, verdict: 'unchecked' })
        )
      )
    )
  }
  await store.close()
  const prefillS = (performance.now() - prefillStart) / 1000

  const underTsx = await startReceiverUnderTsx(dumpDb)
  const idleRssTsx = await idleRssMb(underTsx)
  await stop(underTsx)
  const dumper = await startReceiver(dumpDb)
  const pid = dumper.process.pid!
  const idleRss = await idleRssMb(dumper)
  // reset the peak-RSS watermark so VmHWM below is the dump's own peak
  writeFileSync(`/proc/${pid}/clear_refs`, '5')
  const dumpStart = performance.now()
  const { bytes, tail } = await download(`${dumper.url}/dump-webhooks`)
  const dumpS = (performance.now() - dumpStart) / 1000
  const dumpPeakRss = rssMb(pid, 'VmHWM')
  await stop(dumper)
  if (!tail.includes(`{"number_webhooks_received": ${DUMP_COUNT}}`)) {
    throw new Error(`dump did not end with the expected count: ${tail}`)
  }

  const baselineRps = mean(baselines.map((r) => r.requests.average))
  const receiverRps = mean(receivers.map((r) => r.requests.average))
  const ratio = receiverRps / baselineRps
  const worstP99 = Math.max(...receivers.map((r) => r.latency.p99))
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`
  console.log(
    `\nreceiver benchmark: ${CONNECTIONS} connections, ${DURATION_S} s, ${bodySize} B job.status bodies, ` +
      `${ROUNDS} interleaved rounds, node ${process.version}, ${(await import('node:os')).cpus().length} CPUs\n`
  )
  console.log(row(['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req']))
  console.log(row(['---', '---:', '---:', '---:', '---:']))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, r] of [
      ['raw node:http, bodies in an array', baselines[round]!],
      ['receiver (bundle on node; SQLite WAL, synchronous=FULL, group commit)', receivers[round]!],
    ] as const) {
      console.log(
        row([
          `${name}, round ${round + 1}`,
          r.requests.average.toFixed(0),
          String(r.latency.p50),
          String(r.latency.p99),
          r.cpuMicrosPerRequest.toFixed(0),
        ])
      )
    }
  }
  console.log('')
  console.log(row(['measure', 'value', 'target', '']))
  console.log(row(['---', '---:', '---:', '---']))
  console.log(
    row([
      'throughput ratio (mean receiver / mean raw)',
      ratio.toFixed(2),
      '>= 0.60',
      mark(ratio >= 0.6),
    ])
  )
  console.log(
    row(['receiver p99 (worst round)', `${worstP99} ms`, '<= 10 ms', mark(worstP99 <= 10)])
  )
  console.log(row(['receiver peak RSS under load', `${loadPeakRss.toFixed(1)} MB`, '', '']))
  console.log(row([`prefill ${DUMP_COUNT} via the store`, `${prefillS.toFixed(1)} s`, '', '']))
  console.log(
    row([
      'idle RSS (100k stored, bundle on plain node)',
      `${idleRss.toFixed(1)} MB`,
      '<= 70 MB',
      mark(idleRss <= 70),
    ])
  )
  console.log(row(['idle RSS under tsx (pnpm dev)', `${idleRssTsx.toFixed(1)} MB`, '', '']))
  console.log(
    row([
      `dump of ${DUMP_COUNT} (${(bytes / 1e6).toFixed(0)} MB)`,
      `${dumpS.toFixed(2)} s`,
      '<= 1 s',
      mark(dumpS <= 1),
    ])
  )
  const growth = dumpPeakRss - idleRss
  console.log(
    row(['RSS growth during dump', `${growth.toFixed(1)} MB`, '< 50 MB', mark(growth < 50)])
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
