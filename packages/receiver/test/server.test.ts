import { request } from 'node:http'
import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import { serveFetch, type ServedFetch } from '@up42-webhooks/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.ts'
import type { WebhookStore } from '../src/store.ts'
import { useMemoryStore } from './memory-store.ts'

const SECRET = 'QWZTFnMEXhqZKNmu'

/** A raw node:http request, so repeated headers reach the server as sent. */
function send(
  port: number,
  method: string,
  path: string,
  rawHeaders: string[],
  body?: string
): Promise<{
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}> {
  const chunked = rawHeaders.some((h) => h.toLowerCase() === 'transfer-encoding')
  // raw header arrays get nothing added by Node: not even Host, which the server requires
  const headers = ['Host', `127.0.0.1:${port}`, ...rawHeaders]
  if (body !== undefined && !chunked)
    headers.push('Content-Length', String(Buffer.byteLength(body)))
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('createApp on a real socket', () => {
  let store: WebhookStore
  let server: ServedFetch
  let port: number

  useMemoryStore(async (opened) => {
    store = opened
    server = await serveFetch(createApp({ store, secret: SECRET, maxBodyBytes: 4096 }).fetch)
    port = Number(new URL(server.url).port)
  })
  // runs before the store's close: hooks after a test run in reverse order
  afterEach(() => server.close())

  it('stores headers read from the socket: repeats joined, credentials dropped, verdict checked', async () => {
    const body = EXAMPLE_EVENTS.jobLive
    const signed = await signWebhook({ body, secret: SECRET })
    const res = await send(
      port,
      'POST',
      '/receive-webhooks',
      [
        'Content-Type',
        'application/json',
        'Authorization',
        'Basic dTpw',
        'Cookie',
        'a=1',
        'X-Dup',
        'one',
        'X-Dup',
        'two',
        'Idempotency-Key',
        'idem-1',
        ...Object.entries(signed).flat(),
      ],
      body
    )
    expect(res.status).toBe(200)
    expect(res.headers.server).toBe('LeRenard2000')
    expect(res.text).toBe('{"msg": "value with key 1 stored"}\n')
    const record = await store.get(1)
    expect(record).toMatchObject({
      verdict: 'verified',
      remoteAddress: '127.0.0.1',
      idempotencyKey: 'idem-1',
      body,
    })
    expect(record!.headers['x-dup']).toBe('one, two')
    expect(record!.headers.signature).toBe(signed.signature)
    expect(record!.headers).not.toHaveProperty('authorization')
    expect(record!.headers).not.toHaveProperty('cookie')
  })

  it('sends the server header once on every answer a socket gets: 404, 405, 413, 400, PONG, a streamed dump', async () => {
    const answers = await Promise.all([
      send(port, 'GET', '/nowhere', []),
      send(port, 'GET', '/receive-webhooks', []),
      send(port, 'POST', '/receive-webhooks', [], JSON.stringify({ pad: 'x'.repeat(5000) })),
      send(port, 'POST', '/receive-webhooks', [], 'not json'),
      send(port, 'HEAD', '/ping', []),
      send(port, 'GET', '/dump-webhooks', []),
    ])
    expect(answers.map((a) => a.status)).toEqual([404, 405, 413, 400, 200, 200])
    for (const answer of answers) expect(answer.headers.server).toBe('LeRenard2000')
  })

  it('answers 413 JSON with Connection: close to an announced oversized body, and to a chunked one', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5000) })
    const announced = await send(
      port,
      'POST',
      '/receive-webhooks',
      ['Content-Type', 'application/json'],
      big
    )
    expect(announced.status).toBe(413)
    expect(announced.headers.connection).toBe('close')
    expect(announced.text).toBe('{"code": 413, "msg": "body larger than 4096 bytes"}')
    const chunked = await send(
      port,
      'POST',
      '/receive-webhooks',
      ['Transfer-Encoding', 'chunked'],
      big
    )
    expect(chunked.status).toBe(413)
    expect((await store.stats()).total).toBe(0)
  })

  it('answers 400 to a body that is not JSON and HEAD /ping with headers only', async () => {
    const bad = await send(
      port,
      'POST',
      '/receive-webhooks',
      ['Content-Type', 'text/plain'],
      'hello'
    )
    expect(bad.status).toBe(400)
    expect(bad.text).toBe('{"code": 400, "msg": "body is not UTF-8 JSON"}')
    const head = await send(port, 'HEAD', '/ping', [])
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    expect(head.headers['content-length']).toBe('4')
  })

  it("answers HEAD / with the inspector page's Content-Length and no body", async () => {
    const get = await send(port, 'GET', '/', [])
    expect(get.status).toBe(200)
    expect(get.text).toContain('<!doctype html>')
    const head = await send(port, 'HEAD', '/', [])
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    expect(head.headers['content-type']).toBe('text/html; charset=UTF-8')
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.text)))
    expect(get.headers['content-length']).toBe(head.headers['content-length'])
  })
})
