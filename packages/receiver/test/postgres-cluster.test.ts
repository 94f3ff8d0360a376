/**
 * Several receiver processes on one PostgreSQL database, as behind one URL: real processes, real
 * HTTP, a real server (the suite's, or one of its own for the restart).
 */
import { fileURLToPath } from 'node:url'
import {
  createTestDatabase,
  startEmbeddedPostgres,
  startRecordingServer,
  startTsx,
} from '@up42-webhooks/test-support'
import type {
  EmbeddedPostgresServer,
  RunningProgram,
  TestDatabase,
} from '@up42-webhooks/test-support'
import { afterEach, describe, expect, inject, it } from 'vitest'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
const TIMEOUT_MS = 180_000

const running: RunningProgram[] = []
const databases: TestDatabase[] = []
const servers: EmbeddedPostgresServer[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((receiver) => receiver.stop()))
  await Promise.all(databases.splice(0).map((database) => database.drop()))
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function startReceiver(
  url: string,
  env: Record<string, string> = {}
): Promise<RunningProgram> {
  const receiver = await startTsx(MAIN, [], {
    cwd: PACKAGE_DIR,
    env: { PORT: '0', RECEIVER_DB: url, RECEIVER_DB_POOL: '4', RECEIVER_QUIET: '1', ...env },
    readyPath: '/ping',
  })
  running.push(receiver)
  return receiver
}

const body = (messageId: string, status: string) =>
  JSON.stringify({
    event: 'job.status',
    liveMode: true,
    messageId,
    timestamp: '2026-01-01T00:00:00Z',
    body: { id: `job-${messageId}`, status },
  })

/** POSTs a webhook; the stored id when the answer is 200, else the status (or 0: no answer). */
async function post(
  url: string,
  messageId: string,
  status = 'RUNNING'
): Promise<{ status: number; id?: number }> {
  try {
    const response = await fetch(`${url}/receive-webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(messageId, status),
    })
    const text = await response.text()
    if (response.status !== 200) return { status: response.status }
    const id = Number(/key (\d+)/.exec(text)?.[1])
    return { status: 200, id }
  } catch {
    return { status: 0 }
  }
}

/** The ids of the `webhook` events of a receiver's live stream, as they come. */
function followStream(url: string) {
  const ids: number[] = []
  const controller = new AbortController()
  let wake = () => {}
  const done = (async () => {
    const response = await fetch(`${url}/api/stream`, { signal: controller.signal })
    const decoder = new TextDecoder()
    let buffer = ''
    const reader = response.body!.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const message = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (/^event: webhook$/m.test(message)) ids.push(Number(/^id: (\d+)$/m.exec(message)![1]))
        if (/^event: ready$/m.test(message)) ids.push(-1)
        wake()
      }
    }
  })().catch(() => undefined)
  return {
    ids,
    /** Resolves once `predicate` holds for the ids seen so far. */
    async until(predicate: (ids: number[]) => boolean): Promise<void> {
      while (!predicate(ids)) await new Promise<void>((resolve) => (wake = resolve))
    },
    close: async () => {
      controller.abort()
      await done
    },
  }
}

/** Every stored webhook as [id, messageId, deliveryCount], oldest first, through the API. */
async function storedWebhooks(url: string): Promise<[number, string, number][]> {
  const out: [number, string, number][] = []
  let cursor: string | null = null
  do {
    const query: string = cursor === null ? '' : `&cursor=${cursor}`
    const page = (await (await fetch(`${url}/api/webhooks?limit=500${query}`)).json()) as {
      items: { id: number; messageId: string; deliveryCount: number }[]
      nextCursor: string | null
    }
    out.push(
      ...page.items.map((w): [number, string, number] => [w.id, w.messageId, w.deliveryCount])
    )
    cursor = page.nextCursor
  } while (cursor !== null)
  return out.reverse()
}

describe('three receivers on one PostgreSQL database', () => {
  it(
    'stores every acknowledged webhook exactly once across 1,200 concurrent POSTs, repeats sent to two instances and one instance SIGKILLed midway; every instance dumps the same and streams the others\u2019 webhooks',
    async () => {
      const database = await createTestDatabase(inject('postgresUrl'))
      databases.push(database)
      const hook = await startRecordingServer()
      const notify = { RECEIVER_NOTIFY: `json+${hook.url}/hook` }
      try {
        const receivers = await Promise.all(
          [1, 2, 3].map(() => startReceiver(database.url, notify))
        )
        const [a, b, c] = receivers as [RunningProgram, RunningProgram, RunningProgram]
        const stream = followStream(c.url)
        await stream.until((ids) => ids.includes(-1))
        // one FAILED job: each of the three dispatchers is woken, one claims and sends it
        expect((await post(a.url, 'job-failed', 'FAILED')).status).toBe(200)

        const TOTAL = 1200
        const acked = new Map<string, number[]>()
        let next = 0
        let killed = false
        const worker = async () => {
          while (next < TOTAL) {
            const i = next++
            if (i === TOTAL / 2 && !killed) {
              killed = true
              b.child.kill('SIGKILL')
            }
            // every 10th messageId is posted to two instances at once
            const messageId = i % 10 === 0 ? `m-${i - (i % 20)}` : `m-${i}`
            const target = receivers[i % 3]!
            const result = await post(target.url, messageId)
            if (result.status === 200) {
              acked.set(messageId, [...(acked.get(messageId) ?? []), result.id!])
            } else {
              // only the killed instance may fail to answer
              expect(target).toBe(b)
              expect(killed).toBe(true)
            }
          }
        }
        await Promise.all(Array.from({ length: 48 }, worker))
        await b.exited

        const stored = await storedWebhooks(a.url)
        const ids = stored.map(([id]) => id)
        expect(new Set(ids).size).toBe(ids.length)
        expect([...ids].sort((x, y) => x - y)).toEqual(ids)
        const byMessage = new Map(
          stored.map(([id, messageId, count]) => [messageId, { id, count }])
        )
        expect(byMessage.size).toBe(stored.length) // one row per messageId
        for (const [messageId, answers] of acked) {
          const row = byMessage.get(messageId)
          expect(row, messageId).toBeDefined()
          // each acknowledgement named the one stored row, and counted one delivery
          expect(new Set(answers)).toEqual(new Set([row!.id]))
          expect(row!.count).toBeGreaterThanOrEqual(answers.length)
        }
        expect([...acked.values()].some((answers) => answers.length === 2)).toBe(true)

        const dumps = await Promise.all(
          [a, c].map(async (r) => (await fetch(`${r.url}/dump-webhooks`)).text())
        )
        expect(dumps[0]).toBe(dumps[1])
        expect(dumps[0]!.trimEnd().split('\n')).toHaveLength(stored.length + 1)

        // C's live stream saw every webhook, A's and B's too, in id order and once each
        await stream.until((seen) => seen.filter((id) => id > 0).length >= ids.length)
        await stream.close()
        expect(stream.ids.filter((id) => id > 0)).toEqual(ids)

        // the notification went out once: delivered (committed), so no instance claims it again
        await hook.received(1)
        let delivered: unknown[] = []
        while (delivered.length === 0) {
          const page = (await (await fetch(`${c.url}/api/deliveries?state=delivered`)).json()) as {
            items: unknown[]
          }
          delivered = page.items
          if (delivered.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
        }
        expect(delivered).toHaveLength(1)
        expect(hook.requests.filter((r) => r.path.startsWith('/hook'))).toHaveLength(1)
      } finally {
        await hook.close()
      }
    },
    TIMEOUT_MS
  )
})

describe('receivers while their PostgreSQL server restarts', () => {
  it(
    'answer 503, never a false 200, while the server is down, then store again, live stream included',
    async () => {
      const server = await startEmbeddedPostgres({ durable: true })
      servers.push(server)
      const database = await createTestDatabase(server.url)
      const receivers = await Promise.all([1, 2].map(() => startReceiver(database.url)))
      const [a, b] = receivers as [RunningProgram, RunningProgram]
      const stream = followStream(b.url)
      await stream.until((ids) => ids.includes(-1))
      const acked: number[] = []
      const first = await post(a.url, 'before')
      expect(first.status).toBe(200)
      acked.push(first.id!)

      await server.halt()
      for (let i = 0; i < 6; i++) {
        const result = await post(receivers[i % 2]!.url, `down-${i}`)
        expect(result.status).toBe(503)
      }

      await server.start()
      // the pools reconnect on the next query: retry as a sender would, until one is stored
      let after = await post(a.url, 'after')
      while (after.status === 503) after = await post(a.url, 'after')
      expect(after.status).toBe(200)
      acked.push(after.id!)
      const last = await post(b.url, 'after-b')
      expect(last.status).toBe(200)
      acked.push(last.id!)

      const stored = await storedWebhooks(b.url)
      expect(stored.map(([id]) => id)).toEqual(expect.arrayContaining(acked))
      expect(stored.map(([, messageId]) => messageId)).not.toContain('down-0')
      // B's stream goes on after the restart and sees A's webhooks
      await stream.until((ids) => acked.every((id) => ids.includes(id)))
      await stream.close()
    },
    TIMEOUT_MS
  )
})
