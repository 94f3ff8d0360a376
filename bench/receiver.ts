// pnpm bench:receiver [--duration S] [--rounds N] [--scale N] [--receiver path/to/main.mjs]
//
// Part 1, load: the durable receiver against a raw node:http server that keeps bodies in an array,
// both child processes on 127.0.0.1, in interleaved rounds so a neighbour's load hits both
// alike. Load generator: wrk -t1 -c50 (Debian package `wrk`), with a fresh messageId per request
// from a Lua script; without wrk, autocannon (which takes most of a core itself, so on a small
// machine it throttles the baseline and flatters the ratio). Body: a ~1.2 KB job.status.
// The receiver runs as in production: its esbuild bundle on plain node, a SQLite file, access
// log off. Reported per server: req/s, p50/p99, server CPU µs per POST (user + system time of
// the server process from /proc/<pid>/stat, divided by the requests answered) and the ratio;
// then the bytes on disk per stored webhook after the run (db + wal, search file + wal, every index). A third
// server in each round is the receiver with two destinations on loopback (a --forward-to app
// and a json+http notification, every webhook to both): its throughput against the receiver
// without (issue 12; the 2xx-to-destination latency is `pnpm bench:receiver-destinations`).
//
// Part 2, scale (--scale N, default 100,000): fills a database with N webhooks through the
// store's own insert (groups of 2,000 per transaction: every row takes the write path's
// schema, indexes and counters; only HTTP is skipped), then times /api/stats, the first page
// of /api/webhooks, a q= search, the dump, idle RSS, and the insert cost (wrk on the full
// database against wrk on an empty one, same run).
//
// Targets (issue 14): CPU per durable webhook <= 2x raw node's, p99 <= 15 ms at 50
// connections, disk <= 1.6x body bytes, at 1,000,000 stored /api/stats <= 50 ms, first page
// <= 20 ms, idle RSS <= 80 MB, insert cost within 20 % of an empty database's.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { createRequire } from 'node:module'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { BUNDLE_MAIN, bundleReceiver } from '@up42-webhooks/receiver/bundle'
import { createSqliteStore } from '@up42-webhooks/receiver'
import { toWebhookInput } from '@up42-webhooks/receiver/intake'
import { startNode, stop, type Child } from './processes.ts'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    scale: { type: 'string', default: '100000' },
    // another build of the receiver (e.g. an older commit's dist/main.mjs) instead of this one
    receiver: { type: 'string' },
    'skip-load': { type: 'boolean', default: false },
  },
})
const DURATION_S = Number(args.duration)
const ROUNDS = Number(args.rounds)
const SCALE = Number(args.scale)
const CONNECTIONS = 50
const WARMUP_S = 1

const PAD = 'x'.repeat(815)
let sequence = 0
/** A job.status webhook of ~1.2 KB; `messageId` is spliced in where `ID` stands. */
function jobStatusTemplate(status: string): string {
  return JSON.stringify({
    event: 'job.status',
    liveMode: true,
    messageId: '@ID@',
    timestamp: '2022-07-25T16:02:34Z',
    body: {
      id: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
      status,
      startedAt: '2022-07-25T15:59:00Z',
      finishedAt: null,
      tasks: [
        { id: 'f267fda9-818b-49eb-bd5b-c48d9fce160a', status: 'SUCCEEDED', note: PAD },
        { id: 'd23c1a60-960e-4850-91f5-d66a09ee582c', status: 'RUNNING' },
      ],
    },
  })
}
const TEMPLATES = [jobStatusTemplate('RUNNING'), jobStatusTemplate('SUCCEEDED')] as const
const runId = `${process.pid}-${Date.now().toString(36)}`
function jobStatusBody(): string {
  sequence++
  const template = TEMPLATES[sequence % 5 === 0 ? 1 : 0]
  return template.replace('@ID@', `bench-${runId}-${sequence}`)
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

// ---------------------------------------------------------------------------------------------
// load generators

interface LoadResult {
  requests: number
  seconds: number
  p50: number
  p99: number
  failures: number
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return true
  } catch (error) {
    // wrk --version exits 1 after printing its version
    return (error as { status?: number }).status === 1
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-receiver-'))
let wrkScripts = 0

/** A wrk script posting the job.status body with a messageId unique to this script run. */
function wrkScript(): string {
  const [pre, post] = TEMPLATES[0].split('@ID@') as [string, string]
  const [preS, postS] = TEMPLATES[1].split('@ID@') as [string, string]
  const file = path.join(dir, `post-${++wrkScripts}.lua`)
  writeFileSync(
    file,
    `
local counter = 0
local run = "wrk-${runId}-${wrkScripts}-"
local pre, post = [==[${pre}]==], [==[${post}]==]
local preS, postS = [==[${preS}]==], [==[${postS}]==]
local headers = { ["Content-Type"] = "application/json" }
request = function()
  counter = counter + 1
  if counter % 5 == 0 then
    return wrk.format("POST", "/receive-webhooks", headers, preS .. run .. counter .. postS)
  end
  return wrk.format("POST", "/receive-webhooks", headers, pre .. run .. counter .. post)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"failures":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
`
  )
  return file
}

function wrkLoad(url: string, seconds: number): Promise<LoadResult> {
  const script = wrkScript()
  return new Promise((resolve, reject) => {
    const child = spawn(
      'wrk',
      ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) => {
      const match = /WRK_JSON (\{.*\})/.exec(out)
      if (code !== 0 || match === null) return reject(new Error(`wrk failed (${code}): ${out}`))
      const r = JSON.parse(match[1]!) as {
        requests: number
        duration_us: number
        failures: number
        p50: number
        p99: number
      }
      resolve({
        requests: r.requests,
        seconds: r.duration_us / 1e6,
        p50: r.p50 / 1000,
        p99: r.p99 / 1000,
        failures: r.failures,
      })
    })
  })
}

// autocannon is a devDependency of the receiver package, not of the root
const requireFromReceiver = createRequire(
  new URL('../packages/receiver/package.json', import.meta.url)
)
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
}) => Promise<{
  requests: { total: number }
  latency: { p50: number; p99: number }
  errors: number
  timeouts: number
  non2xx: number
  duration: number
}>

async function autocannonLoad(url: string, seconds: number): Promise<LoadResult> {
  const autocannon = requireFromReceiver('autocannon') as Autocannon
  const r = await autocannon({
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
  return {
    requests: r.requests.total,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: r.errors + r.timeouts + r.non2xx,
  }
}

const WRK = hasWrk()
if (!WRK) {
  console.warn(
    'wrk is not installed (Debian/Ubuntu: sudo apt-get install -y wrk; macOS: brew install wrk): ' +
      'falling back to autocannon, which shares the CPU with the servers and flatters the ratio'
  )
}
const load = WRK ? wrkLoad : autocannonLoad

// ---------------------------------------------------------------------------------------------
// processes

const start = (args: string[], env: Record<string, string> = {}) =>
  startNode(args, { cwd: dir, env })

const receiverMain = args.receiver === undefined ? BUNDLE_MAIN : path.resolve(args.receiver)
const startReceiver = (db: string, env: Record<string, string> = {}) =>
  start([receiverMain, '--quiet', '--port', '0', '--db', db], env)

// Two loopback destinations in a process of their own (a --forward-to app and a json+http
// notification endpoint), answering at once; they count what reached them.
const DESTINATIONS = `
const http = require('node:http')
let received = 0
const listen = () => new Promise((resolve) => {
  const server = http.createServer((req, res) => { req.resume(); req.on('end', () => { received++; res.end('ok') }) })
  server.listen(0, '127.0.0.1', () => resolve(server.address().port))
})
Promise.all([listen(), listen()]).then(([app, notify]) => console.log('listening on http://127.0.0.1:' + app + '/' + notify))
process.on('SIGTERM', () => { console.log('received ' + received); process.exit(0) })
`
/** Every webhook of the load goes to both (RUNNING and SUCCEEDED are notified too). */
async function destinationsEnv(): Promise<{ env: Record<string, string>; child: Child }> {
  const child = await start(['-e', DESTINATIONS])
  // "http://127.0.0.1:<app port>/<notify port>"
  const { origin, pathname } = new URL(child.url)
  return {
    child,
    env: {
      RECEIVER_FORWARD_TO: `${origin}/webhooks`,
      RECEIVER_NOTIFY: `json+http://127.0.0.1:${pathname.slice(1)}/notify`,
      RECEIVER_NOTIFY_STATUSES: 'RUNNING,SUCCEEDED',
    },
  }
}

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

interface Measured extends LoadResult {
  rps: number
  cpuMicrosPerRequest: number
}

async function drive(child: Child, seconds = DURATION_S): Promise<Measured> {
  await load(child.url, WARMUP_S)
  const cpuBefore = cpuMicros(child.child.pid!)
  const result = await load(child.url, seconds)
  const cpu = cpuMicros(child.child.pid!) - cpuBefore
  if (result.failures > 0) throw new Error(`${child.url}: ${result.failures} failed requests`)
  return {
    ...result,
    rps: result.requests / result.seconds,
    cpuMicrosPerRequest: cpu / result.requests,
  }
}

function fetchText(url: string): Promise<{ bytes: number; tail: string; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0
      const head: Buffer[] = []
      let last: Buffer = Buffer.alloc(0)
      res.on('data', (chunk: Buffer) => {
        if (bytes < 1 << 20) head.push(chunk)
        bytes += chunk.byteLength
        last = chunk
      })
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode}`))
        resolve({
          bytes,
          tail: last.toString('utf8').slice(-64),
          text: Buffer.concat(head).toString('utf8'),
        })
      })
      res.on('error', reject)
    }).on('error', reject)
  })
}

/** Median wall time of `times` sequential GETs, in ms. */
async function timeGet(url: string, times: number): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < times; i++) {
    const t = performance.now()
    await fetchText(url)
    ms.push(performance.now() - t)
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!
}

/** The database, its WAL and the search index's file with its WAL (schema v7). */
function bytesOnDisk(db: string): number {
  return [db, `${db}-wal`, `${db}-search`, `${db}-search-wal`].reduce(
    (sum, f) => sum + (existsSync(f) ? statSync(f).size : 0),
    0
  )
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`)
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')

async function storedTotal(url: string): Promise<number> {
  return (JSON.parse((await fetchText(`${url}/api/stats`)).text) as { total: number }).total
}

// ---------------------------------------------------------------------------------------------

try {
  const bodySize = Buffer.byteLength(jobStatusBody())
  if (args.receiver === undefined) await bundleReceiver()
  console.log(
    `receiver benchmark: ${WRK ? 'wrk -t1' : 'autocannon'} -c${CONNECTIONS}, ${DURATION_S} s, ` +
      `${bodySize} B job.status bodies, fresh messageId each, ${ROUNDS} interleaved rounds, ` +
      `node ${process.version}, ${cpus().length} CPUs, receiver ${path.relative(process.cwd(), receiverMain)}`
  )

  if (!args['skip-load']) {
    const baselines: Measured[] = []
    const receivers: Measured[] = []
    const withDestinations: Measured[] = []
    const disk: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const raw = await start(['-e', RAW_RECEIVER])
      baselines.push(await drive(raw))
      await stop(raw)
      const db = path.join(dir, `load-${round}.db`)
      const receiver = await startReceiver(db)
      receivers.push(await drive(receiver))
      const stored = await storedTotal(receiver.url)
      await stop(receiver)
      disk.push(bytesOnDisk(db) / stored)
      // issue 12: the same load with two destinations configured
      const destinations = await destinationsEnv()
      const forwarding = await startReceiver(
        path.join(dir, `load-${round}-destinations.db`),
        destinations.env
      )
      withDestinations.push(await drive(forwarding))
      await stop(forwarding)
      await stop(destinations.child)
    }

    console.log('')
    row(['server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/POST'])
    row(['---', '---:', '---:', '---:', '---:'])
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, r] of [
        ['raw node:http, bodies in an array', baselines[round]!],
        ['receiver (SQLite file, durable)', receivers[round]!],
        ['receiver + 2 destinations (forward, json notify)', withDestinations[round]!],
      ] as const) {
        row([
          `${name}, round ${round + 1}`,
          r.rps.toFixed(0),
          r.p50.toFixed(2),
          r.p99.toFixed(2),
          r.cpuMicrosPerRequest.toFixed(1),
        ])
      }
    }
    const cpuRatio =
      mean(receivers.map((r) => r.cpuMicrosPerRequest)) /
      mean(baselines.map((r) => r.cpuMicrosPerRequest))
    const rpsRatio = mean(receivers.map((r) => r.rps)) / mean(baselines.map((r) => r.rps))
    const worstP99 = Math.max(...receivers.map((r) => r.p99))
    const diskRatio = mean(disk) / bodySize
    console.log('')
    row(['measure', 'value', 'target', ''])
    row(['---', '---:', '---:', '---'])
    row([
      'server CPU per POST, receiver / raw',
      `${cpuRatio.toFixed(2)}×`,
      '<= 2×',
      mark(cpuRatio <= 2),
    ])
    row(['throughput, receiver / raw', rpsRatio.toFixed(2), '', ''])
    const destinationsRatio =
      mean(withDestinations.map((r) => r.rps)) / mean(receivers.map((r) => r.rps))
    row([
      'throughput with 2 destinations / none (issue 12)',
      `${destinationsRatio.toFixed(2)}×`,
      '>= 0.8×',
      mark(destinationsRatio >= 0.8),
    ])
    row([
      'receiver p99 (worst round)',
      `${worstP99.toFixed(1)} ms`,
      '<= 15 ms',
      mark(worstP99 <= 15),
    ])
    row([
      'disk per webhook after the run (db, search, wals)',
      `${mean(disk).toFixed(0)} B = ${diskRatio.toFixed(2)}× body`,
      '<= 1.6×',
      mark(diskRatio <= 1.6),
    ])
  }

  if (SCALE > 0) {
    const scaleDb = path.join(dir, 'scale.db')
    const store = createSqliteStore({ path: scaleDb })
    const fillStart = performance.now()
    const GROUP = 2000
    for (let i = 0; i < SCALE; i += GROUP) {
      await Promise.all(
        Array.from({ length: Math.min(GROUP, SCALE - i) }, () =>
          store.insert(
            toWebhookInput({
              body: Buffer.from(jobStatusBody()),
              headers: { 'content-type': 'application/json', host: '127.0.0.1' },
              verdict: 'unchecked',
            })
          )
        )
      )
    }
    // a store that indexes for search in the background catches up before the timings
    await (store as { whenSearchable?: () => Promise<void> }).whenSearchable?.()
    await store.close()
    // The fill leaves gigabytes of dirty pages in the kernel: the receiver's first fsync would
    // wait for their writeback (a one-off 1 s stall that was the "p99 at 1M" of earlier runs)
    execFileSync('sync')
    const fillS = (performance.now() - fillStart) / 1000
    const diskPerWebhook = bytesOnDisk(scaleDb) / SCALE

    const receiver = await startReceiver(scaleDb)
    const pid = receiver.child.pid!
    await sleep(1000)
    const idleRss = rssMb(pid, 'VmRSS')
    const stats = await timeGet(`${receiver.url}/api/stats`, 5)
    const firstPage = await timeGet(`${receiver.url}/api/webhooks`, 5)
    const filtered = await timeGet(`${receiver.url}/api/webhooks?status=SUCCEEDED`, 5)
    const search = await timeGet(`${receiver.url}/api/webhooks?q=bench-${runId}-777`, 3)
    const searchMiss = await timeGet(`${receiver.url}/api/webhooks?q=nosuchword`, 3)
    // reset the peak-RSS watermark so VmHWM below is the dump's own peak
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    const dumpStart = performance.now()
    const { bytes, tail } = await fetchText(`${receiver.url}/dump-webhooks`)
    const dumpS = (performance.now() - dumpStart) / 1000
    const dumpPeakRss = rssMb(pid, 'VmHWM')
    if (!tail.includes(`{"number_webhooks_received": ${SCALE}}`)) {
      throw new Error(`dump did not end with the expected count: ${tail}`)
    }
    await sleep(1000)
    const rssAfter = rssMb(pid, 'VmRSS')
    const full = await drive(receiver)
    await stop(receiver)
    const empty = await startReceiver(path.join(dir, 'empty.db'))
    const fresh = await drive(empty)
    await stop(empty)
    const insertRatio = full.cpuMicrosPerRequest / fresh.cpuMicrosPerRequest

    const n = SCALE.toLocaleString('en')
    console.log('')
    row([`at ${n} stored`, 'value', 'target', ''])
    row(['---', '---:', '---:', '---'])
    row([`fill ${n} through the store (groups of ${GROUP})`, `${fillS.toFixed(1)} s`, '', ''])
    row([
      'disk per webhook (db, search, wals)',
      `${diskPerWebhook.toFixed(0)} B = ${(diskPerWebhook / bodySize).toFixed(2)}× body`,
      '<= 1.6×',
      mark(diskPerWebhook / bodySize <= 1.6),
    ])
    row(['idle RSS after start', `${idleRss.toFixed(1)} MB`, '<= 80 MB', mark(idleRss <= 80)])
    row(['/api/stats (median of 5)', `${stats.toFixed(1)} ms`, '<= 50 ms', mark(stats <= 50)])
    row([
      'first page of /api/webhooks (median of 5)',
      `${firstPage.toFixed(1)} ms`,
      '<= 20 ms',
      mark(firstPage <= 20),
    ])
    row(['first page of /api/webhooks?status=SUCCEEDED', `${filtered.toFixed(1)} ms`, '', ''])
    row(['q= search, one hit (median of 3)', `${search.toFixed(1)} ms`, '', ''])
    row(['q= search, no hit (median of 3)', `${searchMiss.toFixed(1)} ms`, '', ''])
    row([`dump (${(bytes / 1e6).toFixed(0)} MB)`, `${dumpS.toFixed(2)} s`, '', ''])
    row(['peak RSS during the dump', `${dumpPeakRss.toFixed(1)} MB`, '', ''])
    row(['idle RSS after the queries and the dump', `${rssAfter.toFixed(1)} MB`, '', ''])
    row([
      'insert: CPU µs/POST full / empty database',
      `${full.cpuMicrosPerRequest.toFixed(1)} / ${fresh.cpuMicrosPerRequest.toFixed(1)} = ${insertRatio.toFixed(2)}`,
      '<= 1.20',
      mark(insertRatio <= 1.2),
    ])
    row([
      'insert: req/s, p99 full vs empty',
      `${full.rps.toFixed(0)}, ${full.p99.toFixed(1)} ms vs ${fresh.rps.toFixed(0)}, ${fresh.p99.toFixed(1)} ms`,
      '',
      '',
    ])
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
