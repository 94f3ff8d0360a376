// pnpm bench:relay — latency and throughput of simulate → relay → receiver against
// simulate → receiver directly, measured in the same run on loopback, plus the step bundles'
// sizes and import times. Real processes: the receiver (temp SQLite DB, basic auth, secret) and
// relay-main running the freshly built relay.mjs.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'node:http'
import { buildSteps } from '@up42-webhooks/forwarder/build'
import { buildSimulatedEvent, signedDelivery } from '@up42-webhooks/forwarder/simulate'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SECRET = 'bench-secret'
const USER = 'bench'
const PASSWORD = 'bench-password'
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const ROUNDS = 4
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000)
const WARMUP_ROUNDS = 2

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

/** CPU ms a child process used so far, all threads (Linux /proc; NaN elsewhere). */
function childCpuMs(child: ChildProcess | undefined): number {
  try {
    const fields = readFileSync(`/proc/${child?.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')
    // utime and stime, in clock ticks of 10 ms
    return (Number(fields?.[11]) + Number(fields?.[12])) * 10
  } catch {
    return NaN
  }
}

interface Cpu {
  receiver: number
  relay: number
  client: number
}

function cpuNow(): Cpu {
  const own = process.cpuUsage()
  return {
    receiver: childCpuMs(children[0]),
    relay: childCpuMs(children[1]),
    client: (own.user + own.system) / 1000,
  }
}

interface Result {
  latencies: number[]
  seconds: number
  errors: number
}

interface Stats {
  p50: number
  p99: number
  rps: number
  errors: number
}

/** Percentiles over every sample of a path's rounds (not an average of per-round percentiles). */
function summarize(rounds: Result[]): Stats {
  const latencies = rounds.flatMap((x) => x.latencies).sort((a, b) => a - b)
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
  const seconds = rounds.reduce((sum, x) => sum + x.seconds, 0)
  const errors = rounds.reduce((sum, x) => sum + x.errors, 0)
  return { p50: at(0.5), p99: at(0.99), rps: latencies.length / seconds, errors }
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
  return { latencies, seconds: (performance.now() - started) / 1000, errors }
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
  const targets = {
    direct: { url: `${receiverUrl}/receive-webhooks`, headers: { authorization: AUTH } },
    relay: { url: `${relayUrl}/`, headers: {} },
  }
  const run = (which: keyof typeof targets, list: Awaited<ReturnType<typeof deliveries>>) =>
    load(targets[which].url, targets[which].headers, list, dispatcher)
  // Both paths warm up in turns until the JIT has settled: the relay has more code to optimise
  // (its server, the step, undici) and a short warm-up charged that to the relay's numbers.
  for (let round = 0; round < WARMUP_ROUNDS; round += 1) {
    for (const which of ['direct', 'relay'] as const)
      await run(which, await deliveries(WARMUP, `warm-${which}-${round}`))
  }
  // ABBA order over ROUNDS rounds, so drift and load spikes from elsewhere hit both paths alike.
  const perRound = Math.floor(REQUESTS / ROUNDS)
  const results = { direct: [] as Result[], relay: [] as Result[] }
  const cpu = {
    direct: { receiver: 0, relay: 0, client: 0 },
    relay: { receiver: 0, relay: 0, client: 0 },
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? (['direct', 'relay'] as const) : (['relay', 'direct'] as const)
    for (const which of order) {
      // Signed before the CPU snapshot: signing is the sender's set-up, not its per-request cost.
      const list = await deliveries(perRound, `${which}-${round}`)
      const before = cpuNow()
      results[which].push(await run(which, list))
      const after = cpuNow()
      for (const key of ['receiver', 'relay', 'client'] as const)
        cpu[which][key] += after[key] - before[key]
    }
  }
  dispatcher.destroy()
  const directStats = summarize(results.direct)
  const relayStats = summarize(results.relay)

  const row = (name: string, x: Stats) =>
    `| ${name.padEnd(29)} | ${String(perRound * ROUNDS).padStart(5)} | ${x.p50.toFixed(2).padStart(7)} | ${x.p99.toFixed(2).padStart(7)} | ${x.rps.toFixed(0).padStart(6)} | ${String(x.errors).padStart(6)} |`
  console.log(`\nloopback, ${CONCURRENCY} concurrent, node ${process.version}\n`)
  console.log('| path                          |     n | p50 ms  | p99 ms  |  req/s | non-200 |')
  console.log('|-------------------------------|------:|--------:|--------:|-------:|-------:|')
  console.log(row('simulate → receiver (direct)', directStats))
  console.log(row('simulate → relay → receiver', relayStats))
  console.log(
    `| ${'ratio relay / direct'.padEnd(29)} |       | ${(relayStats.p50 / directStats.p50).toFixed(2).padStart(6)}× | ${(relayStats.p99 / directStats.p99).toFixed(2).padStart(6)}× | ${(directStats.rps / relayStats.rps).toFixed(2).padStart(5)}× |        |`
  )
  console.log(
    '\n(target: relay p50 ≤ 2× direct; the relay adds a GET /ping and a signature check per webhook)\n'
  )
  // Everything shares the machine's cores, so latency under load follows the CPU spent per webhook.
  const n = perRound * ROUNDS
  const us = (ms: number) => ((ms * 1000) / n).toFixed(0).padStart(8)
  console.log('| CPU µs per webhook (all threads) | receiver |    relay |   sender |')
  console.log('|----------------------------------|---------:|---------:|---------:|')
  for (const [name, x] of [
    ['simulate → receiver (direct)', cpu.direct],
    ['simulate → relay → receiver', cpu.relay],
  ] as const) {
    console.log(`| ${name.padEnd(32)} | ${us(x.receiver)} | ${us(x.relay)} | ${us(x.client)} |`)
  }
  console.log('')
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
