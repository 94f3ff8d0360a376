import { signWebhook, verifyWebhook } from '@up42-webhooks/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECRET, startTarget } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import { toWebhookInput } from './intake.ts'
import type { WebhookStore } from './store.ts'
import { useMemoryStore } from '../test/memory-store.ts'

// Pretty-printed, with a U+2028 and a trailing space: any re-serialisation would change it.
const BODY = `{\n  "event": "job.status",\n  "liveMode": true,\n  "messageId": "7d3c1f0e-1111-4a4a-9b9b-000000000001",\n  "timestamp": "2022-07-25T16:02:34Z",\n  "body": {"id": "job-42", "status": "SUCCEEDED", "note": "a\u2028b"} \n}`
const OLD_CREATED = Math.floor(Date.now() / 1000) - 3600

describe('POST /api/webhooks/:id/replay', () => {
  let store: WebhookStore
  let target: Awaited<ReturnType<typeof startTarget>>
  let app: ReturnType<typeof createApp>
  let originalHeaders: Record<string, string>

  beforeAll(async () => {
    target = await startTarget((request) =>
      request.path.includes('fail')
        ? { status: 503, body: 'target down for maintenance' }
        : { status: 202, body: 'accepted by target' }
    )
  })
  afterAll(async () => {
    await target.close()
  })

  useMemoryStore(async (opened) => {
    store = opened
    app = createApp({ store, secret: SECRET, replayUrl: target.url })
    // signed an hour ago: the stored signature is valid but stale, as a day-old webhook is
    originalHeaders = {
      'content-type': 'application/json',
      'x-up42-trace': 'abc',
      ...(await signWebhook({ body: BODY, secret: SECRET, created: OLD_CREATED })),
    }
    const res = await app.request('/receive-webhooks', {
      method: 'POST',
      body: BODY,
      headers: originalHeaders,
    })
    expect(res.status).toBe(200)
    target.requests.length = 0
  })

  const replay = (body: unknown, id = 1) =>
    app.request(`/api/webhooks/${id}/replay`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    })

  it('Should send the stored bytes and headers unchanged in raw mode', async () => {
    const res = await replay({ mode: 'raw' })
    expect(res.status).toBe(200)
    const { attempt } = await res.json()
    expect(attempt).toMatchObject({
      webhookId: 1,
      mode: 'raw',
      url: target.url,
      status: 202,
      error: null,
      responseExcerpt: 'accepted by target',
    })
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(0)

    expect(target.requests).toHaveLength(1)
    const got = target.requests[0]!
    expect(got.method).toBe('POST')
    expect(got.body.equals(Buffer.from(BODY))).toBe(true)
    for (const name of [
      'signature',
      'signature-input',
      'date',
      'content-digest',
      'content-type',
      'x-up42-trace',
    ]) {
      expect(got.headers[name], name).toBe(originalHeaders[name])
    }
    expect(got.headers.host).toBe(new URL(target.url).host)
    // the stale signature is replayed as is: the target's real check refuses it
    await expect(
      verifyWebhook({ headers: got.headers, body: got.body }, { secret: SECRET })
    ).rejects.toMatchObject({
      code: 'TIMESTAMP_TOO_OLD',
    })
  })

  it('Should re-sign with a fresh created and date in resign mode, so the target verifies it', async () => {
    const before = Math.floor(Date.now() / 1000)
    const res = await replay({ mode: 'resign' })
    expect(res.status).toBe(200)
    expect((await res.json()).attempt).toMatchObject({ mode: 'resign', status: 202 })

    const got = target.requests[0]!
    expect(got.body.equals(Buffer.from(BODY))).toBe(true)
    const verified = await verifyWebhook(
      { headers: got.headers, body: got.body },
      { secret: SECRET }
    )
    expect(verified.created).toBeGreaterThanOrEqual(before)
    expect(verified.components).toEqual(['date', 'content-digest'])
    expect(got.headers['signature']).not.toBe(originalHeaders['signature'])
    expect(Date.parse(String(got.headers['date'])) / 1000).toBeGreaterThanOrEqual(before - 1)
    expect(got.headers['x-up42-trace']).toBe('abc')
  })

  it('Should keep the original signed components, values of other signed headers included', async () => {
    const body = BODY.replace('000000000001', '000000000002')
    const headers = {
      'content-type': 'application/json',
      'x-tenant': 'acme',
      ...(await signWebhook({
        body,
        secret: SECRET,
        created: OLD_CREATED,
        components: ['x-tenant', 'content-digest', 'date'],
        headers: { 'x-tenant': 'acme' },
      })),
    }
    await app.request('/receive-webhooks', { method: 'POST', body, headers })
    const res = await replay({ mode: 'resign' }, 2)
    expect(res.status).toBe(200)
    const got = target.requests[0]!
    const verified = await verifyWebhook(
      { headers: got.headers, body: got.body },
      { secret: SECRET }
    )
    expect(verified.components).toEqual(['x-tenant', 'content-digest', 'date'])
  })

  it('Should store every attempt and list them, oldest first', async () => {
    await replay({ mode: 'raw' })
    const failed = await replay({ mode: 'resign', url: `${target.url}/fail` })
    expect(failed.status).toBe(502)
    expect((await failed.json()).attempt).toMatchObject({
      status: 503,
      responseExcerpt: 'target down for maintenance',
    })

    const res = await app.request('/api/webhooks/1/replays')
    const { items } = await res.json()
    expect(items.map((a: { mode: string; status: number }) => [a.mode, a.status])).toEqual([
      ['raw', 202],
      ['resign', 503],
    ])
  })

  it('Should record a target that does not answer as an attempt with an error', async () => {
    const closed = await startTarget()
    const url = closed.url
    await closed.close()
    const res = await replay({ mode: 'raw', url })
    expect(res.status).toBe(502)
    const { attempt } = await res.json()
    expect(attempt).toMatchObject({
      status: null,
      responseExcerpt: null,
      error: expect.stringContaining('ECONNREFUSED'),
    })
    expect(await store.listReplayAttempts(1)).toHaveLength(1)
  })

  it('Should stop waiting for a slow target after the timeout', async () => {
    const { createReplayRoutes } = await import('./routes/replay.ts')
    const hanging = await startTarget()
    const routes = createReplayRoutes({
      store,
      replayTimeoutMs: 50,
      fetch: (input, init) =>
        fetch(input, init).then(
          () =>
            new Promise<Response>((_, reject) =>
              init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
            )
        ),
    })
    const res = await routes.request('/api/webhooks/1/replay', {
      method: 'POST',
      body: JSON.stringify({ url: hanging.url }),
    })
    await hanging.close()
    expect(res.status).toBe(502)
    expect((await res.json()).attempt.error).toBe('timed out')
  })

  it('Should answer 400 with a clear message when nothing can be sent', async () => {
    const noDefault = createApp({ store, secret: null })
    const cases: [ReturnType<typeof createApp>, unknown, RegExp][] = [
      [noDefault, { mode: 'raw' }, /no replay target.*REPLAY_URL/],
      [noDefault, { mode: 'resign', url: target.url }, /UP42_WEBHOOK_SECRET/],
      [app, { mode: 'raw', url: 'file:///etc/passwd' }, /must be http\(s\)/],
      [app, { mode: 'raw', url: 'not a url' }, /not a URL/],
      [app, { mode: 'edit' }, /mode must be "raw" or "resign"/],
    ]
    for (const [which, body, message] of cases) {
      const res = await which.request('/api/webhooks/1/replay', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect((await res.json()).msg).toMatch(message)
    }
    const notJson = await app.request('/api/webhooks/1/replay', {
      method: 'POST',
      body: '[1]',
      headers: { 'content-type': 'application/json' },
    })
    expect(notJson.status).toBe(400)
    expect(target.requests).toHaveLength(0)
    expect(await store.listReplayAttempts(1)).toEqual([])
  })

  it('Should answer 404 for an unknown webhook', async () => {
    expect((await replay({ mode: 'raw' }, 99)).status).toBe(404)
    expect((await app.request('/api/webhooks/99/replays')).status).toBe(404)
  })

  it('Should never send stored credential headers', async () => {
    const body = BODY.replace('000000000001', '000000000003')
    await store.insert({
      // stored as an older version did, credentials included
      ...toWebhookInput({ body: Buffer.from(body), headers: {}, verdict: 'unchecked' }),
      headers: { 'content-type': 'application/json', cookie: 'sid=1', 'x-api-key': 'k' },
    })
    await replay({ mode: 'raw' }, 2)
    expect(target.requests[0]!.headers.cookie).toBeUndefined()
    expect(target.requests[0]!.headers['x-api-key']).toBeUndefined()
  })
})
