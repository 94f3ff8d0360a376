import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTempDir, type RunningProgram, type TempDir } from '@up42-webhooks/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, jobEvent } from './inspector-helpers.ts'
import { startReceiver } from './receiver-process.ts'

const TIMEOUT_MS = 90_000

const started: RunningProgram[] = []

const replay = (base: string, url: string) =>
  fetch(`${base}/api/webhooks/1/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'raw', url }),
  })

describe('replay in the real receiver process', () => {
  let dir: TempDir

  beforeAll(async () => {
    dir = await createTempDir('receiver-replay-')
  })
  afterAll(async () => {
    await Promise.all(started.map((receiver) => receiver.stop()))
    await dir.remove()
  })

  const start = async (name: string) => {
    const receiver = await startReceiver({ RECEIVER_DB: dir.file(`${name}.db`) }, ['--quiet'])
    started.push(receiver)
    const stored = await fetch(`${receiver.url}/receive-webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: jobEvent({ messageId: `replay-process-${name}` }),
    })
    expect(stored.status).toBe(200)
    return receiver
  }

  it(
    'refuses a replay to itself before connecting',
    async () => {
      const { url, child, exited } = await start('self')
      const port = new URL(url).port

      // The old receiver sent these to itself: a duplicate delivery, or an endless chain when
      // the path is the replay route itself.
      for (const self of [
        `${url}/receive-webhooks`,
        `http://localhost:${port}/receive-webhooks`,
        `http://0.0.0.0:${port}/receive-webhooks`,
      ]) {
        const res = await replay(url, self)
        expect(res.status, self).toBe(400)
        expect((await res.json()).msg, self).toMatch(/this receiver: the replay would loop/)
      }
      const record = await (await fetch(`${url}/api/webhooks/1`)).json()
      expect(record.deliveryCount).toBe(1)
      expect(await (await fetch(`${url}/api/webhooks/1/replays`)).json()).toEqual({ items: [] })
      child.kill('SIGTERM')
      expect(await exited).toEqual({ code: 0, signal: null })
    },
    TIMEOUT_MS
  )

  it(
    'on SIGTERM aborts a replay to a target that never answers, answers it, and exits 0',
    async () => {
      const { url, child, exited } = await start('sigterm')

      // a target that accepts the connection and never answers
      const held: ServerResponse[] = []
      let targetClosed!: () => void
      const closed = new Promise<void>((resolve) => (targetClosed = resolve))
      const target = createServer((_req, res) => {
        held.push(res)
        res.once('close', targetClosed)
      })
      await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
      try {
        const { port: targetPort } = target.address() as AddressInfo
        const pending = replay(url, `http://127.0.0.1:${targetPort}/never`)
        await eventually(() => held.length === 1)
        child.kill('SIGTERM')
        const res = await pending
        expect(res.status).toBe(502)
        expect((await res.json()).attempt).toMatchObject({
          status: null,
          error: 'aborted: the receiver is shutting down',
        })
        await closed
        expect(await exited).toEqual({ code: 0, signal: null })
      } finally {
        target.closeAllConnections()
        await new Promise((resolve) => target.close(resolve))
      }
    },
    TIMEOUT_MS
  )
})
