import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, jobEvent } from './inspector-helpers.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
const TIMEOUT_MS = 90_000

const children = new Set<ChildProcess>()

/** The real receiver process (`tsx src/main.ts`) on a free port. */
async function startReceiver(db: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, '--quiet'], {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? '', PORT: '0', RECEIVER_DB: db },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal }))
  )
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    void exit.then(({ code }) => reject(new Error(`receiver exited ${code}: ${err}`)))
  })
  return { child, url, exit, stderr: () => err }
}

const replay = (base: string, url: string) =>
  fetch(`${base}/api/webhooks/1/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'raw', url }),
  })

describe('replay in the real receiver process', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'receiver-replay-'))
  })
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  const start = async (name: string) => {
    const receiver = await startReceiver(path.join(dir, `${name}.db`))
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
      const { url, child, exit } = await start('self')
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
      expect(await exit).toEqual({ code: 0, signal: null })
    },
    TIMEOUT_MS
  )

  it(
    'on SIGTERM aborts a replay to a target that never answers, answers it, and exits 0',
    async () => {
      const { url, child, exit } = await start('sigterm')

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
        expect(await exit).toEqual({ code: 0, signal: null })
      } finally {
        target.closeAllConnections()
        await new Promise((resolve) => target.close(resolve))
      }
    },
    TIMEOUT_MS
  )
})
