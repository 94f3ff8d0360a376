// pnpm bench:receiver-destinations — the receiver with two destinations (a --forward-to target
// and a json+http notification, both on loopback): the latency from the receiver's 2xx to each
// destination receiving the webhook, p50/p99, idle (one at a time) and during a burst of 1,000
// sent over 50 connections. The receiver runs as in production: the esbuild bundle on plain
// node. The throughput with destinations against none (issue 12's >= 0.8x) is a row of
// `pnpm bench:receiver`, measured there with wrk.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { BUNDLE_MAIN, bundleReceiver } from '../packages/receiver/scripts/bundle.ts'
import { startNode, stop } from './processes.ts'

const CONNECTIONS = 50
const IDLE_SAMPLES = 100
const BURST = 1000

let sequence = 0
/** A FAILED job.status webhook (~1.2 KB), so both destinations get every one. */
function body(): { messageId: string; text: string } {
  const messageId = `bench-${process.pid}-${++sequence}`
  const text = JSON.stringify({
    event: 'job.status',
    liveMode: true,
    messageId,
    timestamp: '2022-07-25T16:02:34Z',
    body: {
      id: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
      status: 'FAILED',
      startedAt: '2022-07-25T15:59:00Z',
      finishedAt: '2022-07-25T16:02:30Z',
      tasks: [{ id: 't1', status: 'FAILED', note: 'x'.repeat(800) }],
    },
  })
  return { messageId, text }
}

/** A destination that answers 200 and notes when each messageId first reached it. */
async function destination() {
  const arrivals = new Map<string, number>()
  const waiters = new Map<string, () => void>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const at = performance.now()
      const id = /bench-\d+-\d+/.exec(Buffer.concat(chunks).toString())?.[0]
      if (id !== undefined && !arrivals.has(id)) {
        arrivals.set(id, at)
        waiters.get(id)?.()
      }
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    arrived: (id: string) =>
      arrivals.has(id)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.set(id, resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The bundle with only the variables given here (none of this shell's RECEIVER_* or UP42_*). */
const startReceiver = (dir: string, env: Record<string, string>) =>
  startNode([BUNDLE_MAIN], {
    dropEnv: /^(RECEIVER_|UP42_|PORT$|HOST$)/,
    env: {
      PORT: '0',
      RECEIVER_QUIET: '1',
      RECEIVER_DB: path.join(dir, `webhooks-${++sequence}.db`),
      ...env,
    },
  })

async function post(url: string, text: string): Promise<number> {
  const res = await fetch(`${url}/receive-webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text,
  })
  await res.text()
  if (res.status !== 200) throw new Error(`receiver answered ${res.status}`)
  return performance.now()
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const ms = (v: number) => `${v.toFixed(1)} ms`

async function main() {
  await bundleReceiver()
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-destinations-'))
  const app = await destination()
  const json = await destination()
  const withDestinations = {
    RECEIVER_FORWARD_TO: `${app.url}/webhooks`,
    RECEIVER_NOTIFY: `json+${json.url}/notify`,
  }
  try {
    const receiver = await startReceiver(dir, withDestinations)
    const idle: { app: number[]; json: number[] } = { app: [], json: [] }
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      const { messageId, text } = body()
      const acked = await post(receiver.url, text)
      await Promise.all([app.arrived(messageId), json.arrived(messageId)])
      idle.app.push(app.arrivals.get(messageId)! - acked)
      idle.json.push(json.arrivals.get(messageId)! - acked)
    }
    const burst: { app: number[]; json: number[] } = { app: [], json: [] }
    const messages = Array.from({ length: BURST }, body)
    const acks = new Map<string, number>()
    const started = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < messages.length) {
          const { messageId, text } = messages[next++]!
          acks.set(messageId, await post(receiver.url, text))
        }
      })
    )
    const acked = performance.now()
    await Promise.all(
      messages.map((m) => Promise.all([app.arrived(m.messageId), json.arrived(m.messageId)]))
    )
    const drained = performance.now()
    for (const { messageId } of messages) {
      burst.app.push(app.arrivals.get(messageId)! - acks.get(messageId)!)
      burst.json.push(json.arrivals.get(messageId)! - acks.get(messageId)!)
    }
    await stop(receiver)
    console.log('\n2xx → destination received it')
    console.log('| phase | destination | p50 | p99 |')
    console.log('| --- | --- | ---: | ---: |')
    for (const [phase, data] of [
      [`idle (${IDLE_SAMPLES}, one at a time)`, idle],
      [`burst of ${BURST}`, burst],
    ] as const) {
      for (const [name, values] of [
        ['forward', data.app],
        ['json notify', data.json],
      ] as const) {
        console.log(`| ${phase} | ${name} | ${ms(pct(values, 50))} | ${ms(pct(values, 99))} |`)
      }
    }
    console.log(
      `\nburst: all ${BURST} acknowledged in ${ms(acked - started)}, all delivered to both after ${ms(drained - started)}`
    )
  } finally {
    await app.close()
    await json.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
