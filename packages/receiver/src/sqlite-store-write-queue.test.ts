import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreError } from './errors.ts'
import { migrate } from './migrations.ts'
import { threadWriteQueue } from './sqlite-store-write-queue.ts'
import type { WriteQueue } from './sqlite-store-write-queue.ts'
import type { PreparedRow, WriteOp } from './sqlite-store-writer.mjs'

const WRITER_THREAD = new URL('./sqlite-store-writer-thread.mjs', import.meta.url)

let counter = 0
function insert(): WriteOp {
  counter++
  const body = `{"messageId":"m-${counter}"}`
  const row: PreparedRow = {
    receivedAt: Date.now(),
    body: Buffer.from(body),
    compact: null,
    fts: body,
    headers: '{}',
    remoteAddress: null,
    event: null,
    liveMode: null,
    status: null,
    messageId: `m-${counter}`,
    jobId: null,
    orderId: null,
    idempotencyKey: null,
    dedupKey: `m:m-${counter}`,
    verdict: 'unchecked',
    size: body.length,
  }
  return { type: 'insert', row }
}

describe('threadWriteQueue', () => {
  let dir: string
  let file: string
  let worker: Worker
  let queue: WriteQueue

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'receiver-writer-'))
    file = path.join(dir, 'webhooks.db')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    migrate(db)
    db.close()
  })

  afterEach(async () => {
    await queue.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const startWriter = (): void => {
    worker = new Worker(WRITER_THREAD, {
      workerData: { path: file, busyTimeoutMs: 5000 },
      execArgv: [],
    })
    queue = threadWriteQueue(worker)
  }

  const storedIds = (): number[] => {
    const db = new Database(file, { readonly: true })
    try {
      return db
        .prepare<[], { id: number }>('SELECT id FROM webhooks ORDER BY id')
        .all()
        .map((r) => r.id)
    } finally {
      db.close()
    }
  }

  it('answers the writes of one turn in order, from one transaction on the writer thread', async () => {
    const commits: number[] = []
    worker = new Worker(WRITER_THREAD, {
      workerData: { path: file, busyTimeoutMs: 5000 },
      execArgv: [],
    })
    queue = threadWriteQueue(worker, (n) => commits.push(n))
    const results = await Promise.all([queue.submit(insert()), queue.submit(insert())])
    expect(results).toEqual([
      { id: 1, duplicate: null },
      { id: 2, duplicate: null },
    ])
    expect(commits).toEqual([2])
    expect(await queue.submit({ type: 'delete', id: 1 })).toBe(true)
    expect(storedIds()).toEqual([2])
  })

  it('never confirms a write the thread did not commit when the thread is terminated', async () => {
    startWriter()
    expect(await queue.submit(insert())).toEqual({ id: 1, duplicate: null })
    const writes = Array.from({ length: 50 }, () => queue.submit(insert()))
    await worker.terminate()
    const settled = await Promise.allSettled(writes)
    const confirmed: number[] = []
    for (const result of settled) {
      if (result.status === 'fulfilled') confirmed.push((result.value as { id: number }).id)
      else expect(result.reason).toMatchObject({ name: 'StoreError', code: 'FAILED' })
    }
    const stored = storedIds()
    for (const id of confirmed) expect(stored).toContain(id)
    await expect(queue.submit(insert())).rejects.toMatchObject({
      name: 'StoreError',
      code: 'FAILED',
      message: 'the database writer thread stopped',
    })
  })

  it('rejects pending writes with StoreError FAILED when the thread crashes, and every later one', async () => {
    // a real thread that dies on its first message, as the writer would on an unexpected bug
    worker = new Worker(
      "require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom') })",
      { eval: true }
    )
    queue = threadWriteQueue(worker)
    const pending = [queue.submit(insert()), queue.submit({ type: 'clear' })]
    for (const result of await Promise.allSettled(pending)) {
      expect(result.status).toBe('rejected')
      const reason = (result as PromiseRejectedResult).reason as StoreError
      expect(reason).toBeInstanceOf(StoreError)
      expect(reason.code).toBe('FAILED')
      expect((reason.cause as Error).message).toBe('boom')
    }
    await expect(queue.submit(insert())).rejects.toMatchObject({ code: 'FAILED' })
  })

  it('writes what is queued before closing', async () => {
    startWriter()
    const pending = [queue.submit(insert()), queue.submit(insert())]
    await queue.close()
    expect(await Promise.all(pending)).toEqual([
      { id: 1, duplicate: null },
      { id: 2, duplicate: null },
    ])
    expect(storedIds()).toEqual([1, 2])
  })
})
