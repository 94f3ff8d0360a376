// pnpm bench:relay — latency and throughput of simulate → relay → receiver against
// simulate → receiver directly, measured in the same run on loopback, plus the step bundles'
// sizes and import times. Real processes: the receiver (temp SQLite DB, basic auth, secret) and
// relay-main running the freshly built relay.mjs.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'node:http'
import { buildSteps } from '../packages/forwarder/scripts/build-steps.ts'
import { buildSimulatedEvent, signedDelivery } from '../packages/forwarder/src/simulate.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SECRET = 'bench-secret'
const USER = 'bench'
const PASSWORD = 'bench-password'
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const WARMUP = 50

const children: ChildProcess[] = []

function startServer(file: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) resolve(match[1].replace(/\/$/, ''))
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`${file} exited (${code}):\n${output}`)))
  })
}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`))
    )
  })
}

async function deliveries(n: number, prefix: string) {
  const list = []
  for (let i = 0; i < n; i += 1) {
    const body = buildSimulatedEvent({
      event: 'job.status',
      live: true,
      messageId: `${prefix}-${i}`,
    })
    list.push(await signedDelivery(body, SECRET))
  }
  return list
}

interface Result {
  p50: number
  p99: number
  rps: number
  errors: number
}

/** One POST on a keep-alive agent; resolves with the status once the reply is fully read. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  agent: Agent
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function load(
  url: string,
  extraHeaders: Record<string, string>,
  list: Array<{ body: string; headers: Record<string, string> }>,
  dispatcher: Agent
): Promise<Result> {
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const started = performance.now()
  async function worker() {
    for (;;) {
      const index = next++
      const delivery = list[index]
      if (!delivery) return
      const t0 = performance.now()
      const status = await post(
        url,
        delivery.body,
        { ...delivery.headers, ...extraHeaders },
        dispatcher
      )
      latencies.push(performance.now() - t0)
      if (status !== 200) errors += 1
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
  return { p50: at(0.5), p99: at(0.99), rps: list.length / elapsed, errors }
}

const workdir = await mkdtemp(path.join(tmpdir(), 'bench-relay-'))
try {
  const built = await buildSteps({ outdir: path.join(workdir, 'steps') })
  const measure = path.join(ROOT, 'packages/forwarder/scripts/measure-import.ts')
  const imports: Record<string, number> = {}
  for (const { step, file } of built) {
    const runs = []
    for (let i = 0; i < 3; i += 1)
      runs.push(Number(await runNode(['--import', 'tsx', measure, file])))
    imports[step] = runs.sort((a, b) => a - b)[1] ?? NaN
  }

  const receiverUrl = await startServer('packages/receiver/src/main.ts', {
    PORT: '0',
    HOST: '127.0.0.1',
    RECEIVER_DB: path.join(workdir, 'bench.db'),
    RECEIVER_USER: USER,
    RECEIVER_PASSWORD: PASSWORD,
    UP42_WEBHOOK_SECRET: SECRET,
    RECEIVER_QUIET: '1',
  })
  const relayUrl = await startServer('packages/forwarder/src/relay-main.ts', {
    RELAY_PORT: '0',
    RELAY_BUNDLE: built.find((b) => b.step === 'relay')?.file ?? '',
    RELAY_SPOOL_DIR: path.join(workdir, 'spool'),
    RELAY_QUIET: '1',
    UP42_WEBHOOK_SECRET: SECRET,
    RECEIVER_URL: receiverUrl,
    RECEIVER_USER: USER,
    RECEIVER_PASSWORD: PASSWORD,
  })

  const dispatcher = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const direct = { url: `${receiverUrl}/receive-webhooks`, headers: { authorization: AUTH } }
  const relayed = { url: `${relayUrl}/`, headers: {} }
  await load(direct.url, direct.headers, await deliveries(WARMUP, 'warm-direct'), dispatcher)
  await load(relayed.url, relayed.headers, await deliveries(WARMUP, 'warm-relay'), dispatcher)
  // Alternate halves so a load spike from elsewhere on the machine hits both paths alike.
  const half = Math.floor(REQUESTS / 2)
  const d1 = await load(direct.url, direct.headers, await deliveries(half, 'd1'), dispatcher)
  const r1 = await load(relayed.url, relayed.headers, await deliveries(half, 'r1'), dispatcher)
  const d2 = await load(direct.url, direct.headers, await deliveries(half, 'd2'), dispatcher)
  const r2 = await load(relayed.url, relayed.headers, await deliveries(half, 'r2'), dispatcher)
  dispatcher.destroy()
  const merge = (a: Result, b: Result): Result => ({
    p50: (a.p50 + b.p50) / 2,
    p99: Math.max(a.p99, b.p99),
    rps: (a.rps + b.rps) / 2,
    errors: a.errors + b.errors,
  })
  const d = merge(d1, d2)
  const r = merge(r1, r2)

  const row = (name: string, x: Result) =>
    `| ${name.padEnd(29)} | ${String(half * 2).padStart(5)} | ${x.p50.toFixed(2).padStart(7)} | ${x.p99.toFixed(2).padStart(7)} | ${x.rps.toFixed(0).padStart(6)} | ${String(x.errors).padStart(6)} |`
  console.log(`\nloopback, ${CONCURRENCY} concurrent, node ${process.version}\n`)
  console.log('| path                          |     n | p50 ms  | p99 ms  |  req/s | non-200 |')
  console.log('|-------------------------------|------:|--------:|--------:|-------:|-------:|')
  console.log(row('simulate → receiver (direct)', d))
  console.log(row('simulate → relay → receiver', r))
  console.log(
    `| ${'ratio relay / direct'.padEnd(29)} |       | ${(r.p50 / d.p50).toFixed(2).padStart(6)}× | ${(r.p99 / d.p99).toFixed(2).padStart(6)}× | ${(d.rps / r.rps).toFixed(2).padStart(5)}× |        |`
  )
  console.log(
    '\n(target: relay p50 ≤ 2× direct; the relay adds a GET /ping and a signature check per webhook)\n'
  )
  console.log('| bundle        |  bytes | import ms (median of 3 fresh processes) |')
  console.log('|---------------|-------:|----------------------------------------:|')
  for (const { step, bytes } of built) {
    console.log(
      `| ${`${step}.mjs`.padEnd(13)} | ${String(bytes).padStart(6)} | ${(imports[step] ?? NaN).toFixed(2).padStart(39)} |`
    )
  }
} finally {
  for (const child of children) child.kill('SIGKILL')
  await rm(workdir, { recursive: true, force: true })
}
