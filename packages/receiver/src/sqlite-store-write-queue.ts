import type { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import { StoreError } from './errors.ts'
import { createWriter } from './sqlite-store-writer.mjs'
import type { WriteFailure, WriteOp, WriteOutcome } from './sqlite-store-writer.mjs'

/**
 * Where the store's writes go. Writes submitted in the same event-loop turn travel together,
 * and each resolves only once its transaction is committed.
 */
export interface WriteQueue {
  /** Resolves with the operation's value (see `WriteReply`), rejects with `StoreError`. */
  submit(op: WriteOp): Promise<unknown>
  /** Writes what is queued, then closes the writer's connection. */
  close(): Promise<void>
}

interface Pending {
  op: WriteOp
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

const ACTIONS: Record<WriteOp['type'], string> = {
  insert: 'store the webhook',
  delete: 'delete the webhook',
  clear: 'delete the webhooks',
  replay: 'record the replay attempt',
}

function failureToError(failure: WriteFailure, op: WriteOp): StoreError {
  const cause = Object.assign(new Error(failure.message), { code: failure.sqliteCode })
  return new StoreError(failure.code, `could not ${ACTIONS[op.type]}`, { cause })
}

function settle(
  batch: readonly Pending[],
  outcome: WriteOutcome,
  onCommit: ((size: number) => void) | undefined
): void {
  for (const size of outcome.commits) onCommit?.(size)
  outcome.replies.forEach((reply, i) => {
    const pending = batch[i]!
    if (reply.ok) pending.resolve(reply.value)
    else pending.reject(failureToError(reply, pending.op))
  })
}

/** Collects the submits of one event-loop turn and hands them to `send` on `setImmediate`. */
function batching(send: (batch: Pending[]) => void) {
  let queue: Pending[] = []
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    const batch = queue
    queue = []
    if (batch.length > 0) send(batch)
  }
  return {
    flush,
    drain: (): Pending[] => {
      const batch = queue
      queue = []
      return batch
    },
    submit: (op: WriteOp): Promise<unknown> =>
      new Promise((resolve, reject) => {
        queue.push({ op, resolve, reject })
        if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
      }),
  }
}

/**
 * Writes on this thread, one transaction per event-loop turn. For `:memory:`, which another
 * thread cannot open.
 */
export function inlineWriteQueue(
  db: Database.Database,
  onCommit?: (size: number) => void
): WriteQueue {
  const writer = createWriter(db)
  const batches = batching((batch) => settle(batch, writer.write(batch.map((p) => p.op)), onCommit))
  return {
    submit: batches.submit,
    async close() {
      batches.flush()
    },
  }
}

/**
 * Writes through a `sqlite-store-writer-thread.mjs` worker. If the thread dies, every write it
 * has not confirmed rejects with `StoreError` `FAILED` (a 500, never a false 2xx: it may have been
 * committed, and a retry is deduplicated), and so does every later write.
 */
export function threadWriteQueue(worker: Worker, onCommit?: (size: number) => void): WriteQueue {
  // sent to the thread and not yet answered, oldest first: the thread answers in order
  let inFlight: Pending[] = []
  let stopped: StoreError | null = null

  const batches = batching((batch) => {
    if (stopped !== null) {
      for (const pending of batch) pending.reject(stopped)
      return
    }
    for (const pending of batch) inFlight.push(pending)
    worker.ref()
    worker.postMessage(batch.map((p) => p.op))
  })

  function stop(cause: unknown): void {
    if (stopped !== null) return
    stopped = new StoreError('FAILED', 'the database writer thread stopped', { cause })
    const lost = inFlight.concat(batches.drain())
    inFlight = []
    for (const pending of lost) pending.reject(stopped)
  }

  // the thread keeps the process alive only while it has work, like a synchronous store would
  worker.unref()
  worker.on('message', (message: WriteOutcome | 'closed') => {
    if (message === 'closed') return
    const batch = inFlight.splice(0, message.replies.length)
    if (inFlight.length === 0) worker.unref()
    settle(batch, message, onCommit)
  })
  worker.on('error', stop)
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      stop(new Error(`the writer thread exited with code ${code}`))
      resolve()
    })
  })

  return {
    submit(op) {
      return stopped === null ? batches.submit(op) : Promise.reject(stopped)
    },
    async close() {
      batches.flush()
      if (stopped === null) {
        worker.ref()
        worker.postMessage('close')
      }
      await exited
    },
  }
}
