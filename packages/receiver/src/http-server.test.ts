import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import { afterEach, describe, expect, it } from 'vitest'
import { jobEvent } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import type { AppOptions } from './app.ts'
import { DEFAULT_HTTP_LIMITS, httpServerOptions } from './http-server.ts'
import type { HttpLimits } from './http-server.ts'
import { createSqliteStore } from './sqlite-store.ts'
import type { WebhookStore } from './store.ts'

const AUTH = { username: 'relay', password: 'pw' }
const BASIC = `Basic ${btoa('relay:pw')}`

/** A receiver app behind the production server options, on a real socket. */
async function start(
  options: Partial<AppOptions> = {},
  limits: Partial<HttpLimits> = {}
): Promise<{ port: number; store: WebhookStore; close: () => Promise<void> }> {
  const store = createSqliteStore({ path: ':memory:' })
  const app = createApp({ store, ...options })
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      { fetch: app.fetch, port: 0, hostname: '127.0.0.1', ...httpServerOptions(limits) },
      () => resolve(s)
    )
  })
  return {
    port: (server.address() as AddressInfo).port,
    store,
    close: async () => {
      if ('closeAllConnections' in server) server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await store.close()
    },
  }
}

/** Writes `request` on a raw socket (then half-closes it if `end`) and reads until it closes. */
function exchange(port: number, request: string, { end = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request)
      if (end) socket.end()
    })
    let text = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(text))
  })
}

const post = (port: number, body: string, headers: string[] = []) =>
  [
    'POST /receive-webhooks HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...headers,
    '',
    body,
  ].join('\r\n')

describe('the receiver HTTP server', () => {
  let receiver: Awaited<ReturnType<typeof start>> | undefined
  afterEach(async () => {
    await receiver?.close()
    receiver = undefined
  })

  it('Should drop within ~10 s by default a client that trickles its headers (slowloris)', () => {
    expect(DEFAULT_HTTP_LIMITS.headersTimeoutMs).toBe(10_000)
    const { serverOptions } = httpServerOptions()
    expect(serverOptions.headersTimeout).toBe(10_000)
    // Node checks the timeouts only this often: its default 30 s is what held slowloris 32 s
    expect(serverOptions.connectionsCheckingInterval).toBeLessThanOrEqual(1_000)
    expect(serverOptions.requestTimeout).toBeGreaterThan(serverOptions.headersTimeout!)
  })

  it('Should answer 408 and close a slowloris connection once the headers timeout passes', async () => {
    receiver = await start({}, { headersTimeoutMs: 1_000, connectionsCheckingIntervalMs: 100 })
    const { port } = receiver
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(`GET /api/webhooks HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`)
    // one more header line every 100 ms, for up to 60 s: far longer than the 1 s allowed
    let sent = 0
    const trickle = setInterval(() => {
      if (socket.destroyed || sent >= 600) return
      socket.write(`X-Slow-${sent++}: a\r\n`)
    }, 100)
    await closed
    clearInterval(trickle)
    expect(sent).toBeLessThan(600)
    expect(text).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('Should answer 408 to a body that trickles past the request timeout, storing nothing', async () => {
    let reportAbort: (error: unknown) => void = () => {}
    const aborted = new Promise((resolve) => (reportAbort = resolve))
    receiver = await start(
      { onError: reportAbort },
      { headersTimeoutMs: 500, requestTimeoutMs: 1_000, connectionsCheckingIntervalMs: 100 }
    )
    const { port, store } = receiver
    const body = jobEvent({ messageId: 'slow-body' })
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(post(port, body).slice(0, -body.length))
    let sent = 0
    const trickle = setInterval(() => {
      if (!socket.destroyed && sent < body.length - 1) socket.write(body[sent++]!)
    }, 100)
    await closed
    clearInterval(trickle)
    expect(sent).toBeLessThan(body.length - 1)
    expect(text).toMatch(/^HTTP\/1\.1 408 /)
    // the handler reading the body sees it cut off
    expect(String(await aborted)).toMatch(/abort/i)
    expect((await store.stats()).total).toBe(0)
  })

  it('Should answer 431 to more header fields than the limit instead of dropping the rest', async () => {
    receiver = await start()
    const { port, store } = receiver
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-Field-${i}: ${i}`)
    // Host, Content-Type and Content-Length are three of the fields
    const max = DEFAULT_HTTP_LIMITS.maxHeadersCount
    const atLimit = await exchange(
      port,
      post(port, jobEvent({ messageId: 'at-limit' }), [...fields(max - 4), 'Connection: close'])
    )
    expect(atLimit).toMatch(/^HTTP\/1\.1 200 /)
    for (const n of [max - 2, 1_100]) {
      const reply = await exchange(port, post(port, jobEvent({ messageId: `n-${n}` }), fields(n)))
      expect(reply, `${n} extra fields`).toMatch(/^HTTP\/1\.1 431 /)
      expect(reply).toMatch(/\r\nconnection: close\r\n/i)
      expect(reply).toMatch(/\r\n\r\n\{"code": 431, "msg": "more than 100 header fields"\}$/)
    }
    expect((await store.stats()).total).toBe(1)
    const stored = (await store.get(1))!
    expect(stored.headers['x-field-95']).toBe('95')
  })

  for (const auth of [AUTH, null]) {
    it(`Should reply to a client that half-closes after sending (${auth ? 'with' : 'without'} basic auth)`, async () => {
      receiver = await start({ auth })
      const { port, store } = receiver
      const reply = await exchange(
        port,
        post(port, jobEvent({ messageId: 'half-closed' }), [`Authorization: ${BASIC}`]),
        { end: true }
      )
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
      expect(reply).toMatch(/\r\n\r\n\{"msg": "value with key 1 stored"\}\n$/)
      expect((await store.stats()).total).toBe(1)
    })
  }

  it('Should check the Host on the socket: foreign Host refused, a tunnel Host can still deliver', async () => {
    receiver = await start()
    const { port, store } = receiver
    const read = await exchange(
      port,
      `GET /api/webhooks HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`
    )
    expect(read).toMatch(/^HTTP\/1\.1 403 /)
    const body = jobEvent({ messageId: 'tunnel' })
    const ingest = await exchange(
      port,
      post(port, body, ['Connection: close']).replace(
        `Host: 127.0.0.1:${port}`,
        'Host: abc.ngrok-free.app'
      )
    )
    expect(ingest).toMatch(/^HTTP\/1\.1 200 /)
    expect((await store.stats()).total).toBe(1)
  })
})
