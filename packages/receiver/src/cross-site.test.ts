import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobEvent, SECRET, startTarget } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import type { WebhookStore } from './store.ts'
import { useMemoryStore } from '../test/memory-store.ts'

const BASIC = `Basic ${btoa('ops:pw')}`

/** Every record and every replay attempt: what a refused request must leave untouched. */
async function snapshot(store: WebhookStore): Promise<string> {
  const records = []
  for await (const record of store.iterate()) {
    records.push({ record, attempts: await store.listReplayAttempts(record.id) })
  }
  return JSON.stringify(records)
}

const importLine = (messageId: string) =>
  `${JSON.stringify({
    bodyBase64: Buffer.from(jobEvent({ messageId })).toString('base64'),
    receivedAt: '2024-05-01T12:00:00.000Z',
    verdict: 'verified',
  })}\n`

/** Each state-changing route with a body that would change the store if it got through. */
const WRITES: { name: string; method: string; path: string; body?: () => string }[] = [
  {
    name: 'ingest',
    method: 'POST',
    path: '/receive-webhooks',
    body: () => jobEvent({ messageId: 'forged' }),
  },
  { name: 'import', method: 'POST', path: '/api/import', body: () => importLine('imported') },
  { name: 'replay', method: 'POST', path: '/api/webhooks/1/replay', body: () => '{"mode":"raw"}' },
  { name: 'delete one', method: 'DELETE', path: '/api/webhooks/1' },
  { name: 'delete all', method: 'DELETE', path: '/api/webhooks?confirm=yes' },
]

/** A browser's cross-site attempts: a form, a text/plain or no-cors fetch, a sandboxed frame. */
const HOSTILE: { name: string; headers: Record<string, string> }[] = [
  {
    name: 'a cross-site form POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'cross-site',
      origin: 'http://evil.example',
    },
  },
  {
    name: 'a text/plain fetch from another localhost port',
    headers: {
      'content-type': 'text/plain;charset=UTF-8',
      'sec-fetch-site': 'same-site',
      origin: 'http://localhost:5173',
    },
  },
  {
    name: 'an Origin from another port without Sec-Fetch-Site (older browser)',
    headers: { 'content-type': 'text/plain', origin: 'http://localhost:5173' },
  },
  {
    name: 'an Origin on a look-alike host',
    headers: { 'content-type': 'text/plain', origin: 'https://localhost.evil.example' },
  },
  {
    name: 'Sec-Fetch-Site cross-site without Origin',
    headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' },
  },
  {
    name: 'Origin: null (sandboxed frame, file: page)',
    headers: { 'content-type': 'multipart/form-data; boundary=x', origin: 'null' },
  },
]

describe('cross-site requests', () => {
  let store: WebhookStore
  let target: Awaited<ReturnType<typeof startTarget>>

  beforeAll(async () => {
    target = await startTarget()
  })
  afterAll(async () => {
    await target.close()
  })
  useMemoryStore(async (opened) => {
    store = opened
    const app = createApp({ store, secret: SECRET, replayUrl: target.url })
    const res = await app.request('/receive-webhooks', {
      method: 'POST',
      body: jobEvent({ messageId: 'first' }),
    })
    expect(res.status).toBe(200)
    target.requests.length = 0
  })

  for (const auth of [null, { username: 'ops', password: 'pw' }]) {
    describe(
      auth === null ? 'without basic auth' : 'with basic auth (credentials attached)',
      () => {
        for (const attempt of HOSTILE) {
          it(`Should refuse ${attempt.name} on every state-changing route and change nothing`, async () => {
            const app = createApp({ store, auth, secret: SECRET, replayUrl: target.url })
            const before = await snapshot(store)
            for (const write of WRITES) {
              const res = await app.request(write.path, {
                method: write.method,
                headers: { ...attempt.headers, ...(auth === null ? {} : { authorization: BASIC }) },
                ...(write.body === undefined ? {} : { body: write.body() }),
              })
              expect(res.status, write.name).toBe(403)
              expect(res.headers.get('content-type'), write.name).toBe('application/json')
              expect((await res.json()).msg, write.name).toMatch(/^cross-site request refused/)
            }
            expect(await snapshot(store)).toBe(before)
            expect(target.requests).toHaveLength(0)
          })
        }
      }
    )
  }

  it('Should serve the same writes from the page itself (same origin)', async () => {
    const app = createApp({ store, secret: SECRET, replayUrl: target.url })
    const page = { 'sec-fetch-site': 'same-origin', origin: 'http://localhost' }
    const json = { ...page, 'content-type': 'application/json' }
    const ingest = await app.request('/receive-webhooks', {
      method: 'POST',
      headers: json,
      body: jobEvent({ messageId: 'from-page' }),
    })
    expect(ingest.status).toBe(200)
    const replay = await app.request('/api/webhooks/1/replay', {
      method: 'POST',
      headers: json,
      body: '{"mode":"raw"}',
    })
    expect(replay.status).toBe(200)
    expect(target.requests).toHaveLength(1)
    const imported = await app.request('/api/import', {
      method: 'POST',
      headers: { ...page, 'content-type': 'application/x-ndjson' },
      body: importLine('imported'),
    })
    expect(imported.status).toBe(200)
    expect((await app.request('/api/webhooks/1', { method: 'DELETE', headers: page })).status).toBe(
      200
    )
    expect((await store.stats()).total).toBe(2)
  })

  it('Should take an https page origin through a tunnel for the same host (scheme not compared)', async () => {
    const app = createApp({ store, auth: { username: 'ops', password: 'pw' } })
    const res = await app.request('/api/webhooks/1', {
      method: 'DELETE',
      headers: {
        host: 'abc.ngrok.app',
        origin: 'https://abc.ngrok.app',
        'sec-fetch-site': 'same-origin',
        authorization: BASIC,
      },
    })
    expect(res.status).toBe(200)
    const otherPort = await app.request('/api/webhooks', {
      method: 'DELETE',
      headers: {
        host: 'abc.ngrok.app',
        origin: 'https://abc.ngrok.app:8443',
        authorization: BASIC,
      },
    })
    expect(otherPort.status).toBe(403)
  })

  it('Should leave clients that send neither header alone: curl -d, text/plain, anything the original took', async () => {
    const app = createApp({ store })
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/json']) {
      const res = await app.request('/receive-webhooks', {
        method: 'POST',
        headers: { 'content-type': type },
        body: jobEvent({ messageId: `curl-${type}` }),
      })
      expect(res.status, type).toBe(200)
    }
    expect((await store.stats()).total).toBe(4)
  })

  it('Should answer 415 to a JSON API write whose body is not declared JSON, and change nothing', async () => {
    const app = createApp({ store, secret: SECRET, replayUrl: target.url })
    const before = await snapshot(store)
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      null,
    ]) {
      for (const [path, body] of [
        ['/api/import', importLine('imported')],
        ['/api/webhooks/1/replay', '{"mode":"raw"}'],
      ] as const) {
        const res = await app.request(path, {
          method: 'POST',
          // a Uint8Array body gets no content-type from Request, as a typeless Blob in a browser
          body: type === null ? new TextEncoder().encode(body) : body,
          headers: type === null ? {} : { 'content-type': type },
        })
        expect(res.status, `${path} ${type}`).toBe(415)
        expect((await res.json()).msg).toMatch(/content-type must be application\/json/)
      }
    }
    expect(await snapshot(store)).toBe(before)
    expect(target.requests).toHaveLength(0)
    // with parameters and in any case it is JSON; a write without a body needs no type
    const charset = await app.request('/api/webhooks/1/replay', {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      body: '{"mode":"raw"}',
    })
    expect(charset.status).toBe(200)
    expect((await app.request('/api/webhooks/1/replay', { method: 'POST' })).status).toBe(200)
  })

  it('Should send no CORS header, to a cross-origin read or to a preflight', async () => {
    const app = createApp({ store, secret: SECRET })
    const asked = { origin: 'http://evil.example' }
    const preflight = {
      ...asked,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    }
    const responses = [
      await app.request('/api/webhooks', { headers: asked }),
      await app.request('/api/webhooks/1', { headers: asked }),
      await app.request('/dump-webhooks', { headers: asked }),
      await app.request('/api/export', { headers: asked }),
      ...(await Promise.all(
        ['/api/import', '/api/webhooks/1/replay', '/api/webhooks/1', '/receive-webhooks', '/'].map(
          (path) => app.request(path, { method: 'OPTIONS', headers: preflight })
        )
      )),
    ]
    for (const res of responses) {
      const cors = [...res.headers.keys()].filter((name) => name.startsWith('access-control-'))
      expect(cors, res.url).toEqual([])
      expect(res.status, res.url).not.toBe(204)
    }
  })
})
