import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.ts'
import { toWebhookInput } from '../src/intake.ts'
import { createSqliteStore } from '../src/sqlite-store.ts'
import type { WebhookStore } from '../src/store.ts'

const ROWS = 300
const PAGE = 4096

/** ~3 KB: one row per table page, so a damaged page is a damaged row in the middle. */
const webhook = (i: number) =>
  JSON.stringify({
    event: 'job.status',
    liveMode: true,
    messageId: `corrupt-${i}`,
    timestamp: '2024-03-01T10:00:00Z',
    body: { id: `job-${i % 5}`, status: 'RUNNING', pad: 'x'.repeat(3000) },
  })

/** Pages of one b-tree (table or index), in page-number order, from SQLite's dbstat. */
function pagesOf(file: string, name: string, type: 'leaf' | 'internal'): number[] {
  const db = new Database(file, { readonly: true })
  try {
    return (
      db
        .prepare('SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno')
        .all(name, type) as { pageno: number }[]
    ).map((row) => row.pageno)
  } finally {
    db.close()
  }
}

/** Overwrites whole pages of the file with garbage, as a failing disk or a stray write would. */
function damage(file: string, pages: number[]): void {
  const fd = openSync(file, 'r+')
  try {
    for (const page of pages) writeSync(fd, Buffer.alloc(PAGE, 0xa5), 0, PAGE, (page - 1) * PAGE)
  } finally {
    closeSync(fd)
  }
}

/** Reads a response to the end or to its failure; a failure mid-body is what a client sees. */
async function readAll(url: string): Promise<{ status: number; text: string; failed: boolean }> {
  const res = await fetch(url)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { status: res.status, text, failed: false }
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    return { status: res.status, text, failed: true }
  }
}

describe('a damaged SQLite file, on a real socket', () => {
  let dir: string
  let file: string
  let store: WebhookStore
  let server: ServerType
  let url: string
  let errors: unknown[]

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'receiver-corrupt-'))
    file = path.join(dir, 'webhooks.db')
    const seed = createSqliteStore({ path: file })
    await Promise.all(
      Array.from({ length: ROWS }, (_, i) =>
        seed.insert(
          toWebhookInput({ body: Buffer.from(webhook(i)), headers: {}, verdict: 'unchecked' })
        )
      )
    )
    await seed.close()
    // everything into the main file, so its pages are the only copy
    const db = new Database(file)
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
  })

  async function start(): Promise<void> {
    errors = []
    store = createSqliteStore({ path: file })
    const app = createApp({ store, onError: (error) => errors.push(error) })
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve())
    })
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  afterEach(async () => {
    ;(server as Server).closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const post = (i: number) =>
    fetch(`${url}/receive-webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: webhook(i),
    })

  it.each(['/dump-webhooks', '/api/export'])(
    'aborts %s when a damaged row is reached: a failed transfer, no trailing Error line',
    async (route) => {
      const leaves = pagesOf(file, 'webhooks', 'leaf')
      damage(file, [leaves[Math.floor(leaves.length * 0.7)]!])
      await start()
      const { status, text, failed } = await readAll(`${url}${route}`)
      expect(status).toBe(200)
      expect(failed).toBe(true)
      const lines = text.split('\n').filter((line) => line !== '')
      // rows before the damage went out (how many the socket flushed before it was destroyed
      // varies), none after it
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.length).toBeLessThan(ROWS * 0.7)
      for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line)).not.toThrow()
      expect(text).not.toContain('Error')
      expect(text).not.toContain('number_webhooks_received')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({ name: 'StoreError', code: 'CORRUPT' })
    }
  )

  it('answers 500, never 200, to a webhook whose write meets a damaged page', async () => {
    // the dedup index is looked up and written by every insert with a messageId
    damage(file, pagesOf(file, 'webhooks_dedup_key', 'internal'))
    await start()
    const res = await post(ROWS + 1)
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('{"code": 500, "msg": "storage failure"}')
    expect(errors[0]).toMatchObject({ code: 'CORRUPT' })
  })

  it('acknowledges no webhook once the damage was seen, even one that touches only healthy pages', async () => {
    const leaves = pagesOf(file, 'webhooks', 'leaf')
    damage(file, [leaves[Math.floor(leaves.length / 2)]!])
    await start()
    // appended at the end of every b-tree: SQLite itself would store this one fine
    expect((await post(ROWS + 1)).status).toBe(200)
    expect((await readAll(`${url}/dump-webhooks`)).failed).toBe(true)
    const res = await post(ROWS + 2)
    expect(res.status).toBe(500)
    expect(errors.at(-1)).toMatchObject({ code: 'CORRUPT', message: /corrupt/ })
    expect((await store.list({}, { limit: 1 })).items[0]?.messageId).toBe(`corrupt-${ROWS + 1}`)
  })
})
