import { request } from 'node:http'
import type { ClientRequest, IncomingMessage } from 'node:http'
import { serveFetch, type ServedFetch } from '@up42-webhooks/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.ts'
import type { WebhookStore } from '../src/store.ts'
import { useMemoryStore } from './memory-store.ts'

/** One export line of ~`size` bytes, for a job.status body with its own messageId. */
function exportLine(i: number, size = 1000): string {
  const body = JSON.stringify({
    event: 'job.status',
    liveMode: true,
    messageId: `import-${i}`,
    timestamp: '2024-03-01T10:00:00Z',
    body: { id: 'job-import', status: 'RUNNING', pad: 'x'.repeat(size) },
  })
  return JSON.stringify({
    bodyBase64: Buffer.from(body).toString('base64'),
    receivedAt: '2024-03-01T10:00:01.000Z',
    headers: { 'content-type': 'application/json' },
    verdict: 'unchecked',
  })
}

describe('POST /api/import on a real socket', () => {
  let store: WebhookStore
  let server: ServedFetch
  let port: number

  useMemoryStore(async (opened) => {
    store = opened
    server = await serveFetch(createApp({ store, maxBodyBytes: 64 * 1024 }).fetch)
    port = Number(new URL(server.url).port)
  })
  // runs before the store's close: hooks after a test run in reverse order
  afterEach(() => server.close())

  /** An upload left open: chunked, written piece by piece, ended only if the test says so. */
  function openImport(): { req: ClientRequest; response: Promise<IncomingMessage> } {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/import',
      headers: { 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
    })
    // the server may close the connection while we still hold it open: that is expected
    req.on('error', () => {})
    const response = new Promise<IncomingMessage>((resolve) => req.once('response', resolve))
    return { req, response }
  }

  const readJson = (res: IncomingMessage) =>
    new Promise<{ msg: string; errors: { line: number; message: string }[] }>((resolve) => {
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => (text += d))
      res.on('end', () => resolve(JSON.parse(text)))
    })

  const ping = async () => (await fetch(`http://127.0.0.1:${port}/ping`)).text()

  it('answers 400 at the 100th bad line while the upload is still open', async () => {
    const { req, response } = openImport()
    const lines = Array.from({ length: 250 }, (_, i) => (i % 2 ? 'garbage' : exportLine(i)))
    req.write(`${lines.join('\n')}\n`)
    // never ended: the answer can only come from reading line by line
    const res = await response
    expect(res.statusCode).toBe(400)
    const body = await readJson(res)
    expect(body.errors).toHaveLength(100)
    expect(body.errors[0]).toEqual({ line: 2, message: 'not JSON' })
    expect(body.errors.at(-1)).toEqual({ line: 200, message: 'not JSON' })
    expect(body.msg).toContain('stopped reading at line 200')
    expect(req.writableEnded).toBe(false)
    req.destroy()
    expect((await store.stats()).total).toBe(0)
  })

  it('keeps answering /ping during a multi-MB import, then refuses it as a whole', async () => {
    const { req, response } = openImport()
    let answered = false
    void response.then(() => (answered = true))
    let line = 0
    const pongs: string[] = []
    // 8 pieces of ~1.4 MB of good records, each followed by a /ping while the import runs
    for (let piece = 0; piece < 8; piece++) {
      const lines = Array.from({ length: 100 }, () => exportLine(line++, 10_000))
      req.write(`${lines.join('\n')}\n`)
      pongs.push(await ping())
      expect(answered).toBe(false)
    }
    expect(pongs).toEqual(Array(8).fill('PONG'))
    // 100 bad lines at the end: the import is refused, nothing of the 800 good ones is kept
    req.write(`${Array(100).fill('{"bodyBase64": 1}').join('\n')}\n`)
    const res = await response
    expect(res.statusCode).toBe(400)
    const body = await readJson(res)
    expect(body.errors).toHaveLength(100)
    expect(body.errors[0]).toEqual({ line: 801, message: 'bodyBase64 must be non-empty base64' })
    req.destroy()
    expect((await store.stats()).total).toBe(0)
    expect(await ping()).toBe('PONG')
  })

  it('imports a multi-MB upload sent in pieces, all of it', async () => {
    const { req, response } = openImport()
    for (let piece = 0; piece < 4; piece++) {
      const lines = Array.from({ length: 100 }, (_, i) => exportLine(piece * 100 + i, 10_000))
      req.write(`${lines.join('\n')}\n`)
    }
    req.end()
    const res = await response
    expect(res.statusCode).toBe(200)
    expect(await readJson(res)).toEqual({ total: 400, imported: 400, duplicates: 0 })
    expect((await store.stats()).total).toBe(400)
  })
})
