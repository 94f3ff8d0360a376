import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RunningProgram } from '@up42-webhooks/test-support'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runReceiver, startReceiver as start } from './receiver-process.ts'

const TIMEOUT_MS = 90_000

const started: RunningProgram[] = []

async function startReceiver(env: Record<string, string>, args: string[] = []) {
  const receiver = await start(env, args)
  started.push(receiver)
  return receiver
}

function webhook(i: number): string {
  return JSON.stringify({
    event: 'job.status',
    liveMode: true,
    messageId: `durable-${i}`,
    timestamp: '2022-07-25T16:02:34Z',
    body: { id: `job-${i % 7}`, status: i % 3 ? 'RUNNING' : 'SUCCEEDED', pad: 'x'.repeat(900) },
  })
}

async function postWebhook(url: string, i: number): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/receive-webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: webhook(i),
  })
  return { status: res.status, text: await res.text() }
}

async function dump(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/dump-webhooks`)).text()
  return text.split('\n').filter((line) => line !== '')
}

describe('receiver process', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'receiver-durability-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))
  afterAll(async () => {
    await Promise.all(started.map((receiver) => receiver.stop()))
  })

  it(
    'keeps every acknowledged webhook exactly once across a SIGKILL, with ids unique and increasing',
    async () => {
      const db = path.join(dir, 'nested', 'webhooks.db')
      const first = await startReceiver({ RECEIVER_DB: db }, ['--quiet'])
      const TOTAL = 400
      const acked = new Map<number, number>() // webhook index -> key
      const perWorkerKeys: number[][] = []
      let next = 0
      let killed = false
      const worker = async (keys: number[]) => {
        while (next < TOTAL) {
          const i = next++
          try {
            const { status, text } = await postWebhook(first.url, i)
            if (status !== 200) throw new Error(`unexpected ${status} ${text}`)
            const key = Number(/^\{"msg": "value with key (\d+) stored"\}\n$/.exec(text)![1])
            acked.set(i, key)
            keys.push(key)
          } catch (error) {
            if (!killed) throw error
          }
          if (!killed && acked.size >= 150) {
            killed = true
            first.child.kill('SIGKILL')
          }
        }
      }
      await Promise.all(
        Array.from({ length: 25 }, () => {
          const keys: number[] = []
          perWorkerKeys.push(keys)
          return worker(keys)
        })
      )
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' })
      expect(acked.size).toBeGreaterThanOrEqual(150)
      expect(acked.size).toBeLessThan(TOTAL)
      const keys = [...acked.values()]
      expect(new Set(keys).size).toBe(keys.length)
      for (const workerKeys of perWorkerKeys) {
        expect(workerKeys).toEqual([...workerKeys].sort((a, b) => a - b))
      }

      const second = await startReceiver({ RECEIVER_DB: db }, ['--quiet'])
      const lines = await dump(second.url)
      const count = lines.pop()
      const bodies = lines.map((line) => JSON.parse(line) as { messageId: string })
      expect(count).toBe(`{"number_webhooks_received": ${bodies.length}}`)
      const seen = bodies.map((b) => b.messageId)
      expect(new Set(seen).size).toBe(seen.length)
      for (const [i, key] of acked) {
        expect(seen.filter((m) => m === `durable-${i}`)).toHaveLength(1)
        const record = (await (await fetch(`${second.url}/api/webhooks/${key}`)).json()) as {
          messageId: string
        }
        expect(record.messageId).toBe(`durable-${i}`)
      }
      // the dump is in id order, and ids are what was acknowledged
      const listed = (await (await fetch(`${second.url}/api/webhooks?limit=500`)).json()) as {
        items: { id: number; messageId: string }[]
      }
      expect(listed.items.map((w) => w.messageId).reverse()).toEqual(seen)
      const maxId = Math.max(...listed.items.map((w) => w.id))

      // the forwarder retries what was never acknowledged: committed ones are recognised
      for (let i = 0; i < TOTAL; i++) {
        if (acked.has(i)) continue
        const { status, text } = await postWebhook(second.url, i)
        expect(status).toBe(200)
        const match =
          /^\{"msg": "(?:value with key (\d+) stored|duplicate of key (\d+))"\}\n$/.exec(text)
        expect(match).not.toBeNull()
        if (match![1] !== undefined) expect(Number(match![1])).toBeGreaterThan(maxId)
      }
      const all = await dump(second.url)
      expect(all.pop()).toBe(`{"number_webhooks_received": ${TOTAL}}`)
      expect(new Set(all.map((l) => (JSON.parse(l) as { messageId: string }).messageId)).size).toBe(
        TOTAL
      )

      second.child.kill('SIGTERM')
      expect(await second.exited).toEqual({ code: 0, signal: null })
    },
    TIMEOUT_MS
  )

  it(
    'on SIGTERM finishes in-flight requests, closes the database and exits 0',
    async () => {
      const db = path.join(dir, 'webhooks.db')
      const receiver = await startReceiver({ RECEIVER_DB: db })
      const firstReply = await postWebhook(receiver.url, 1000)
      expect(firstReply.status).toBe(200)
      const inFlight = Array.from({ length: 40 }, (_, i) =>
        postWebhook(receiver.url, i).catch(() => null)
      )
      receiver.child.kill('SIGTERM')
      const results = await Promise.all(inFlight)
      expect(await receiver.exited).toEqual({ code: 0, signal: null })
      expect(receiver.stdout()).toContain('database closed')
      expect(receiver.stdout()).toMatch(/"POST \/receive-webhooks HTTP\/1\.1" 200 35 "-" "/)
      const ackedKeys = [firstReply, ...results]
        .filter((r) => r?.status === 200)
        .map((r) => Number(/key (\d+)/.exec(r!.text)![1]))
      const file = new Database(db, { readonly: true })
      try {
        for (const key of ackedKeys) {
          expect(file.prepare('SELECT count(*) AS n FROM webhooks WHERE id = ?').get(key)).toEqual({
            n: 1,
          })
        }
      } finally {
        file.close()
      }
    },
    TIMEOUT_MS
  )

  it(
    'two processes on one file: concurrent POSTs to both all get 200, none 503, each stored once',
    async () => {
      const db = path.join(dir, 'shared.db')
      // started together on a file that does not exist yet: both create and migrate it
      const [a, b] = await Promise.all([
        startReceiver({ RECEIVER_DB: db }, ['--quiet']),
        startReceiver({ RECEIVER_DB: db }, ['--quiet']),
      ])
      const TOTAL = 600
      const statuses = new Map<number, number>()
      const keys = new Map<number, number>() // webhook index -> acknowledged key
      let next = 0
      const worker = async (url: string) => {
        while (next < TOTAL) {
          const i = next++
          const { status, text } = await postWebhook(url, i)
          statuses.set(status, (statuses.get(status) ?? 0) + 1)
          const match = /^\{"msg": "value with key (\d+) stored"\}\n$/.exec(text)
          if (match) keys.set(i, Number(match[1]))
        }
      }
      await Promise.all(Array.from({ length: 30 }, (_, w) => worker(w % 2 ? a.url : b.url)))
      expect(Object.fromEntries(statuses)).toEqual({ 200: TOTAL })
      expect(new Set(keys.values()).size).toBe(TOTAL)

      for (const receiver of [a, b]) receiver.child.kill('SIGTERM')
      expect(await a.exited).toEqual({ code: 0, signal: null })
      expect(await b.exited).toEqual({ code: 0, signal: null })
      const file = new Database(db, { readonly: true })
      try {
        const rows = file.prepare('SELECT id, message_id FROM webhooks').all() as {
          id: number
          message_id: string
        }[]
        expect(rows).toHaveLength(TOTAL)
        const byId = new Map(rows.map((row) => [row.id, row.message_id]))
        for (const [i, key] of keys) expect(byId.get(key)).toBe(`durable-${i}`)
      } finally {
        file.close()
      }
    },
    TIMEOUT_MS
  )

  // Root writes any file whatever its mode, so as root the receiver runs as nobody here.
  const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined

  /** A database file made and closed by a first receiver run, then the given modes applied. */
  async function existingDatabase(fileMode: number, folderMode: number): Promise<string> {
    const folder = path.join(dir, 'data')
    mkdirSync(folder)
    const db = path.join(folder, 'webhooks.db')
    const first = await startReceiver({ RECEIVER_DB: db }, ['--quiet'])
    expect((await postWebhook(first.url, 1)).status).toBe(200)
    first.child.kill('SIGTERM')
    expect(await first.exited).toEqual({ code: 0, signal: null })
    chmodSync(dir, 0o755)
    chmodSync(db, fileMode)
    chmodSync(folder, folderMode)
    return db
  }

  it.each([
    ['a read-only file', 0o444, 0o777],
    ['a read-only folder', 0o666, 0o555],
  ])(
    'refuses to start on %s: exit 2 naming RECEIVER_DB and the path',
    async (_, fileMode, folderMode) => {
      const db = await existingDatabase(fileMode, folderMode)
      const proc = await runReceiver({ RECEIVER_DB: db }, ['--quiet'], unprivileged)
      expect(proc).toMatchObject({ code: 2, signal: null })
      expect(proc.stderr).toContain(`RECEIVER_DB (--db) ${db} is not writable (`)
      expect(proc.stdout).not.toContain('listening on')
      // and nothing was changed: the stored webhook is still there, alone
      chmodSync(path.dirname(db), 0o755)
      const file = new Database(db, { readonly: true })
      try {
        expect(file.prepare('SELECT count(*) AS n FROM webhooks').get()).toEqual({ n: 1 })
      } finally {
        file.close()
      }
    },
    TIMEOUT_MS
  )

  it(
    'refuses to start when the database folder cannot be created: exit 2 naming RECEIVER_DB',
    async () => {
      const file = path.join(dir, 'a-file')
      writeFileSync(file, '')
      const db = path.join(file, 'webhooks.db')
      const proc = await runReceiver({ RECEIVER_DB: db }, ['--quiet'])
      expect(proc).toMatchObject({ code: 2, signal: null })
      expect(proc.stderr).toContain(`RECEIVER_DB (--db) ${db} is not writable (`)
    },
    TIMEOUT_MS
  )

  it(
    'refuses a non-loopback HOST without basic auth, exiting 2 with a message naming HOST',
    async () => {
      const proc = await runReceiver({ HOST: '0.0.0.0', RECEIVER_DB: ':memory:' })
      expect(proc).toMatchObject({ code: 2, signal: null })
      expect(proc.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without basic auth/)
      expect(proc.stdout).not.toContain('listening on')
    },
    TIMEOUT_MS
  )

  it(
    'exits 1 with a clear message when the port is taken',
    async () => {
      const first = await startReceiver({ RECEIVER_DB: ':memory:' })
      const port = new URL(first.url).port
      const second = await runReceiver({ RECEIVER_DB: ':memory:', PORT: port })
      expect(second).toMatchObject({ code: 1, signal: null })
      expect(second.stderr).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`)
      first.child.kill('SIGTERM')
      expect(await first.exited).toEqual({ code: 0, signal: null })
    },
    TIMEOUT_MS
  )

  it(
    'starts on a non-loopback HOST with --allow-open, or with basic auth, never printing the password',
    async () => {
      const open = await startReceiver({ HOST: '0.0.0.0', RECEIVER_DB: ':memory:' }, [
        '--allow-open',
      ])
      expect(open.stdout()).toContain('basic auth: off')
      open.child.kill('SIGINT')
      expect(await open.exited).toEqual({ code: 0, signal: null })

      const authed = await startReceiver({
        HOST: '0.0.0.0',
        RECEIVER_DB: ':memory:',
        RECEIVER_USER: 'u',
        RECEIVER_PASSWORD: 'hunter2-pass',
      })
      expect(authed.stdout()).toContain('basic auth: on')
      const port = new URL(authed.url).port
      const dumpUrl = `http://127.0.0.1:${port}/dump-webhooks`
      expect((await fetch(dumpUrl)).status).toBe(401)
      const res = await fetch(dumpUrl, {
        headers: { authorization: `Basic ${Buffer.from('u:hunter2-pass').toString('base64')}` },
      })
      expect(res.status).toBe(200)
      authed.child.kill('SIGINT')
      expect(await authed.exited).toEqual({ code: 0, signal: null })
      expect(authed.stdout() + authed.stderr()).not.toContain('hunter2-pass')
    },
    TIMEOUT_MS
  )
})
