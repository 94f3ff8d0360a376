import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from './app.ts'
import type { AppOptions } from './app.ts'
import { readReceiverConfig } from './config.ts'
import { createSqliteStore } from './sqlite-store.ts'
import type { WebhookStore } from './store.ts'
import { createWebhookEvents } from './webhook-events.ts'
import type { WebhookEvent } from './webhook-events.ts'
import { useMemoryStore } from '../test/memory-store.ts'

const JOB_LIVE_MESSAGE_ID = '258270de-58f8-42da-aea6-e7a07d2667f7'
const SECRET = 'QWZTFnMEXhqZKNmu'
const CREATED = 1_700_000_000
const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

let store: WebhookStore
let seenEvents: WebhookEvent[]
let errors: unknown[]

function makeApp(options: Partial<AppOptions> = {}) {
  const events = createWebhookEvents()
  events.subscribe((e) => seenEvents.push(e))
  return createApp({ store, events, onError: (e) => errors.push(e), ...options })
}

const post = (
  app: ReturnType<typeof makeApp>,
  body: BodyInit | null,
  headers: Record<string, string> = {}
) => app.request('/receive-webhooks', { method: 'POST', body, headers })

const dumpLines = async (res: Response) => (await res.text()).split('\n')

useMemoryStore((opened) => {
  store = opened
  seenEvents = []
  errors = []
})

describe('createApp: the original routes', () => {
  it.each([
    '/ping',
    '/PiNg',
    '/pingpong',
    '/a/ping',
    '/receive-webhooks/ping',
    '/dump-webhooks/PING',
  ])('answers PONG to any method on %s', async (path) => {
    const app = makeApp()
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await app.request(path, { method })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/plain')
      expect(res.headers.get('server')).toBe('LeRenard2000')
      expect(await res.text()).toBe('PONG')
    }
  })

  it('does not take /shopping for a ping (the regex includes the slash)', async () => {
    const res = await makeApp().request('/shopping')
    expect(res.status).toBe(404)
  })

  it('stores a POSTed webhook and answers the original reply with a growing key', async () => {
    const app = makeApp()
    const res = await post(app, EXAMPLE_EVENTS.jobTest)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe('{"msg": "value with key 1 stored"}\n')
    expect(await (await post(app, EXAMPLE_EVENTS.jobLive)).text()).toBe(
      '{"msg": "value with key 2 stored"}\n'
    )
    expect((await store.get(2))?.body).toBe(EXAMPLE_EVENTS.jobLive)
  })

  it('answers a repeated messageId with "duplicate of key N" and counts the delivery', async () => {
    const app = makeApp()
    await post(app, EXAMPLE_EVENTS.jobLive)
    const res = await post(app, EXAMPLE_EVENTS.jobLive)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('{"msg": "duplicate of key 1"}\n')
    expect((await store.get(1))?.deliveryCount).toBe(2)
    expect(
      seenEvents.map((e) => [e.type, 'webhook' in e ? e.webhook.deliveryCount : null])
    ).toEqual([
      ['stored', 1],
      ['duplicate', 2],
    ])
  })

  it('deduplicates on the Idempotency-Key header when the body has no messageId', async () => {
    const app = makeApp()
    await post(app, '{"a":1}', { 'idempotency-key': 'abc' })
    expect(await (await post(app, '{"a":1}', { 'idempotency-key': 'abc' })).text()).toBe(
      '{"msg": "duplicate of key 1"}\n'
    )
    expect((await store.get(1))?.idempotencyKey).toBe('abc')
  })

  it.each(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'])(
    'answers %s /receive-webhooks with 405, the exact body and Allow: POST',
    async (method) => {
      const res = await makeApp().request('/receive-webhooks', { method })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('POST')
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(res.headers.get('server')).toBe('LeRenard2000')
      if (method !== 'HEAD')
        expect(await res.text()).toBe('{"code": 405, "msg": "method not allowed"}')
    }
  )

  it('matches /receive-webhooks exactly, not as a prefix (bug B9)', async () => {
    const app = makeApp()
    const res = await app.request('/receive-webhooksXYZ', { method: 'POST', body: '{}' })
    expect(res.status).toBe(404)
    expect((await store.stats()).total).toBe(0)
  })

  it('rejects an empty body with 400, consuming no id (bug B1)', async () => {
    const app = makeApp()
    await post(app, '{"n":1}')
    const res = await post(app, '')
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe('{"code": 400, "msg": "empty body"}')
    expect(await (await post(app, '{"n":2}')).text()).toBe('{"msg": "value with key 2 stored"}\n')
    expect((await store.get(1))?.body).toBe('{"n":1}')
  })

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"event":'],
    ['invalid UTF-8', new Uint8Array([0x22, 0xc3, 0x28, 0x22])],
  ])('rejects a body that is %s with 400 and stores nothing (bug B10)', async (_name, body) => {
    const app = makeApp()
    const res = await post(app, body)
    expect(res.status).toBe(400)
    expect(await res.text()).toBe('{"code": 400, "msg": "body is not UTF-8 JSON"}')
    expect((await store.stats()).total).toBe(0)
    expect(seenEvents).toEqual([])
  })

  it.each(['[1,2]', '"x"', '42', 'null', 'true', ' \r\n\t[{"event":"job.status"}]'])(
    'rejects %j, JSON but not an object, with 400 and consumes no id',
    async (body) => {
      const app = makeApp()
      await post(app, '{"n":1}')
      const res = await post(app, body)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(await res.text()).toBe('{"code": 400, "msg": "body must be a JSON object"}')
      expect(await (await post(app, '{"n":2}')).text()).toBe('{"msg": "value with key 2 stored"}\n')
      expect((await store.stats()).total).toBe(2)
      expect(seenEvents.map((e) => e.type)).toEqual(['stored', 'stored'])
    }
  )

  it('stores an object after a BOM and JSON whitespace', async () => {
    const app = makeApp()
    const body = new Uint8Array([0xef, 0xbb, 0xbf, 0x20, 0x0a, ...Buffer.from('{"n":1}')])
    expect(await (await post(app, body)).text()).toBe('{"msg": "value with key 1 stored"}\n')
    expect(await (await post(app, '[1')).text()).toBe(
      '{"code": 400, "msg": "body is not UTF-8 JSON"}'
    )
  })

  it('rejects a body over the limit with 413 JSON, whether announced or streamed', async () => {
    const app = makeApp({ maxBodyBytes: 64 })
    const big = JSON.stringify({ pad: 'x'.repeat(100) })
    const res = await post(app, big)
    expect(res.status).toBe(413)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('server')).toBe('LeRenard2000')
    expect(await res.text()).toBe('{"code": 413, "msg": "body larger than 64 bytes"}')
    const streamed = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big))
        controller.close()
      },
    })
    const res2 = await app.request('/receive-webhooks', {
      method: 'POST',
      body: streamed,
      duplex: 'half',
    } as RequestInit)
    expect(res2.status).toBe(413)
    expect((await store.stats()).total).toBe(0)
    expect(await (await post(app, '{"ok":true}')).text()).toBe(
      '{"msg": "value with key 1 stored"}\n'
    )
  })

  it('answers 500 JSON, never 200, when the store fails, and reports the error', async () => {
    const app = makeApp()
    await store.close()
    const res = await post(app, EXAMPLE_EVENTS.jobLive)
    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe('{"code": 500, "msg": "storage failure"}')
    expect(errors).toHaveLength(1)
  })

  it('answers 503 with Retry-After when the store is busy', async () => {
    const busy: WebhookStore = {
      ...store,
      insert: async () => {
        const { StoreError } = await import('./errors.ts')
        throw new StoreError('could not store the webhook', { code: 'BUSY' })
      },
    }
    const res = await createApp({ store: busy, onError: () => {} }).request('/receive-webhooks', {
      method: 'POST',
      body: '{}',
    })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(await res.text()).toBe('{"code": 503, "msg": "storage busy, retry"}')
  })

  it('stores request headers without credentials', async () => {
    const app = makeApp()
    await post(app, '{}', {
      authorization: 'Basic c2VjcmV0',
      cookie: 'session=1',
      'proxy-authorization': 'x',
      'x-forwarded-for': '1.2.3.4',
      'content-type': 'application/json',
    })
    const record = await store.get(1)
    expect(record?.headers).toEqual({
      'x-forwarded-for': '1.2.3.4',
      'content-type': 'application/json',
    })
  })

  it('stores a header named __proto__ as a plain header', async () => {
    const app = makeApp()
    // as pairs: Headers ignores a record key named __proto__
    await app.request('/receive-webhooks', {
      method: 'POST',
      body: '{}',
      headers: [
        ['__proto__', 'a valid header name'],
        ['x-a', '1'],
      ],
    })
    const record = await store.get(1)
    expect(Object.entries(record!.headers)).toEqual(
      expect.arrayContaining([
        ['__proto__', 'a valid header name'],
        ['x-a', '1'],
      ])
    )
  })

  it('dumps every webhook oldest first, one compact line each, then the count', async () => {
    const app = makeApp()
    await post(app, EXAMPLE_EVENTS.jobTest)
    await post(app, JSON.stringify(JSON.parse(EXAMPLE_EVENTS.orderLive), null, 2))
    await post(app, '{"event": "job.status", "liveMode": true}')
    const res = await app.request('/dump-webhooks')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    expect(res.headers.get('server')).toBe('LeRenard2000')
    expect(await dumpLines(res)).toEqual([
      EXAMPLE_EVENTS.jobTest,
      EXAMPLE_EVENTS.orderLive,
      '{"event":"job.status","liveMode":true}',
      '{"number_webhooks_received": 3}',
      '',
    ])
  })

  it('dumps only the count line when nothing is stored', async () => {
    expect(await (await makeApp().request('/dump-webhooks')).text()).toBe(
      '{"number_webhooks_received": 0}\n'
    )
  })

  it('dumps with filters event, liveMode, status, since and limit; the count is the lines dumped', async () => {
    const app = makeApp()
    await post(app, EXAMPLE_EVENTS.jobTest) // 1 job, test, PENDING
    await post(app, EXAMPLE_EVENTS.jobLive) // 2 job, live, FAILED
    await post(app, EXAMPLE_EVENTS.orderLive) // 3 order, live, FULFILLED
    const dump = async (query: string) => dumpLines(await app.request(`/dump-webhooks?${query}`))
    expect(await dump('liveMode=false')).toEqual([
      EXAMPLE_EVENTS.jobTest,
      '{"number_webhooks_received": 1}',
      '',
    ])
    expect(await dump('event=order.status')).toEqual([
      EXAMPLE_EVENTS.orderLive,
      '{"number_webhooks_received": 1}',
      '',
    ])
    expect(await dump('liveMode=true&status=FAILED')).toEqual([
      EXAMPLE_EVENTS.jobLive,
      '{"number_webhooks_received": 1}',
      '',
    ])
    expect(await dump('since=1')).toHaveLength(4)
    expect(await dump('since=1&limit=1')).toEqual([
      EXAMPLE_EVENTS.jobLive,
      '{"number_webhooks_received": 1}',
      '',
    ])
    expect(await dump('limit=0')).toEqual(['{"number_webhooks_received": 0}', ''])
  })

  it('streams a dump larger than one store chunk without losing or repeating lines', async () => {
    await store.close()
    store = createSqliteStore({ path: ':memory:', chunkSize: 7 })
    onTestFinished(() => store.close())
    const app = makeApp()
    for (let i = 0; i < 50; i++) await post(app, JSON.stringify({ messageId: `m${i}`, n: i }))
    const lines = await dumpLines(await app.request('/dump-webhooks'))
    expect(lines).toHaveLength(52)
    expect(lines.slice(0, 50).map((l) => JSON.parse(l).n)).toEqual(
      Array.from({ length: 50 }, (_, i) => i)
    )
    expect(lines[50]).toBe('{"number_webhooks_received": 50}')
  })

  it.each(['liveMode=yes', 'since=-1', 'limit=abc', 'since=1.5'])(
    'rejects /dump-webhooks?%s with 400',
    async (q) => {
      const res = await makeApp().request(`/dump-webhooks?${q}`)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(await res.text()).toMatch(/^\{"code": 400, "msg": "(liveMode|since|limit) must be/)
    }
  )

  it('reads filters as export and the stream do: empty values ignored, values trimmed', async () => {
    const app = makeApp()
    await post(app, EXAMPLE_EVENTS.jobLive)
    await post(app, EXAMPLE_EVENTS.orderLive)
    const dump = await (
      await app.request('/dump-webhooks?liveMode=&event=%20order.status%20')
    ).text()
    expect(dump.trim().split('\n')).toEqual([
      EXAMPLE_EVENTS.orderLive,
      '{"number_webhooks_received": 1}',
    ])
  })

  it('answers other methods on /dump-webhooks with 405 and Allow: GET, HEAD', async () => {
    const res = await makeApp().request('/dump-webhooks', { method: 'POST', body: '{}' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
    expect(await res.text()).toBe('{"code": 405, "msg": "method not allowed"}')
  })

  it('answers /favicon.ico with an empty 204', async () => {
    const res = await makeApp().request('/favicon.ico')
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(res.headers.get('server')).toBe('LeRenard2000')
  })

  it('answers unknown paths with JSON 404 and the configured server header only', async () => {
    const res = await makeApp({ serverHeader: 'Custom/1' }).request('/nope')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe('{"code": 404, "msg": "not found"}')
    expect(res.headers.get('server')).toBe('Custom/1')
    expect([...res.headers.keys()].join(' ')).not.toMatch(/hono|powered/i)
  })

  it('mounts the inspector at /', async () => {
    const res = await makeApp().request('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('server')).toBe('LeRenard2000')
  })
})

describe('createApp: basic auth', () => {
  const auth = { username: 'relay', password: 's3cret' }

  it('requires credentials on every route but /ping and /favicon.ico', async () => {
    const app = makeApp({ auth })
    for (const [method, path] of [
      ['POST', '/receive-webhooks'],
      ['GET', '/dump-webhooks'],
      ['GET', '/api/webhooks'],
      ['GET', '/api/stats'],
      ['GET', '/'],
      ['GET', '/nope'],
    ] as const) {
      const res = await app.request(path, { method, ...(method === 'POST' ? { body: '{}' } : {}) })
      expect(res.status, `${method} ${path}`).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="up42-webhooks receiver"')
      expect(res.headers.get('server')).toBe('LeRenard2000')
      expect(await res.text()).toBe('{"code": 401, "msg": "unauthorized"}')
    }
    expect((await app.request('/ping')).status).toBe(200)
    expect((await app.request('/favicon.ico')).status).toBe(204)
    expect((await store.stats()).total).toBe(0)
  })

  it('rejects a wrong password and accepts the right one', async () => {
    const app = makeApp({ auth })
    expect((await post(app, '{}', { authorization: basic('relay', 'wrong') })).status).toBe(401)
    expect((await post(app, '{}', { authorization: basic('other', 's3cret') })).status).toBe(401)
    const ok = await post(app, '{}', { authorization: basic('relay', 's3cret') })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('{"msg": "value with key 1 stored"}\n')
  })
})

describe('createApp: signature verdicts', () => {
  const now = () => CREATED + 5
  const signed = async (body: string, secret = SECRET) =>
    signWebhook({ body, secret, created: CREATED })

  it('stores verified, invalid:<code> and unsigned verdicts when a secret is set', async () => {
    const app = makeApp({ secret: SECRET, now })
    const good = await signed(EXAMPLE_EVENTS.jobLive)
    expect((await post(app, EXAMPLE_EVENTS.jobLive, good)).status).toBe(200)
    expect(
      (await post(app, EXAMPLE_EVENTS.jobTest, await signed(EXAMPLE_EVENTS.jobTest, 'other')))
        .status
    ).toBe(200)
    const tampered = EXAMPLE_EVENTS.orderLive
    expect(
      (
        await post(
          app,
          tampered,
          await signed(EXAMPLE_EVENTS.orderLive.replace('FULFILLED', 'FAILED'))
        )
      ).status
    ).toBe(200)
    expect((await post(app, '{"x":1}')).status).toBe(200)
    const verdicts = (await store.list()).items.map((w) => [w.id, w.verdict])
    expect(verdicts).toEqual([
      [4, 'unsigned'],
      [3, 'invalid:BODY_DIGEST_MISMATCH'],
      [2, 'invalid:SIGNATURE_MISMATCH'],
      [1, 'verified'],
    ])
    expect((await store.get(1))?.headers.signature).toBe(good.signature)
  })

  it('records unchecked when no secret is configured', async () => {
    const app = makeApp()
    await post(app, EXAMPLE_EVENTS.jobLive, await signed(EXAMPLE_EVENTS.jobLive))
    expect((await store.get(1))?.verdict).toBe('unchecked')
  })

  it('with requireSignature answers 401 and stores nothing unless verified', async () => {
    const app = makeApp({ secret: SECRET, now, requireSignature: true })
    const unsigned = await post(app, EXAMPLE_EVENTS.jobLive)
    expect(unsigned.status).toBe(401)
    expect(await unsigned.text()).toBe('{"code": 401, "msg": "signature unsigned"}')
    const stale = await post(
      app,
      EXAMPLE_EVENTS.jobLive,
      await signWebhook({ body: EXAMPLE_EVENTS.jobLive, secret: SECRET, created: CREATED - 86_400 })
    )
    expect(await stale.text()).toBe('{"code": 401, "msg": "signature invalid:TIMESTAMP_TOO_OLD"}')
    expect((await store.stats()).total).toBe(0)
    const ok = await post(app, EXAMPLE_EVENTS.jobLive, await signed(EXAMPLE_EVENTS.jobLive))
    expect(await ok.text()).toBe('{"msg": "value with key 1 stored"}\n')
  })

  it('accepts a signature hours old, as a Pipedream re-run delivers it, within signatureMaxAgeSeconds', async () => {
    const hourLate = await signWebhook({
      body: EXAMPLE_EVENTS.jobLive,
      secret: SECRET,
      created: CREATED - 3600,
    })
    const lenient = makeApp({ secret: SECRET, now, requireSignature: true })
    expect(await (await post(lenient, EXAMPLE_EVENTS.jobLive, hourLate)).text()).toBe(
      '{"msg": "value with key 1 stored"}\n'
    )
    const strict = makeApp({ secret: SECRET, now, signatureMaxAgeSeconds: 300 })
    await post(
      strict,
      EXAMPLE_EVENTS.orderLive,
      await signWebhook({
        body: EXAMPLE_EVENTS.orderLive,
        secret: SECRET,
        created: CREATED - 300,
      })
    )
    expect((await store.get(2))?.verdict).toBe('invalid:TIMESTAMP_TOO_OLD')
  })

  it('refuses requireSignature without a secret', () => {
    expect(() => createApp({ store, requireSignature: true })).toThrow(TypeError)
  })
})

describe('createApp: body coverage and the re-split forgery (issue 9)', () => {
  // A genuine delivery signed over ("date" "content-digest") two hours before `now`.
  const now = () => CREATED + 7200
  const forgedBody = EXAMPLE_EVENTS.jobLive
    .replace('"FAILED"', '"SUCCEEDED"')
    .replace(JOB_LIVE_MESSAGE_ID, '00000000-0000-4000-8000-000000000000')
  const fromEnv = (env: Record<string, string>) => {
    const config = readReceiverConfig({ UP42_WEBHOOK_SECRET: SECRET, ...env })
    const { secret, requireSignature, requireBodyDigest } = config
    return makeApp({ secret, requireSignature, requireBodyDigest, now })
  }
  async function forged(into: 'date' | 'x-anything') {
    const old = await signWebhook({
      body: EXAMPLE_EVENTS.jobLive,
      secret: SECRET,
      created: CREATED,
    })
    return {
      'content-type': 'application/json',
      [into]: `${old.date}${old['content-digest']}`,
      'signature-input': `up42-sig=("${into}");created=${now()}`,
      signature: old.signature!,
    }
  }

  it('answers 401 to the forgery under RECEIVER_REQUIRE_SIGNATURE=1 and stores nothing', async () => {
    const app = fromEnv({ RECEIVER_REQUIRE_SIGNATURE: '1' })
    const res = await post(app, forgedBody, await forged('date'))
    expect(res.status).toBe(401)
    expect(await res.text()).toBe('{"code": 401, "msg": "signature invalid:MALFORMED_HEADER"}')
    expect((await store.stats()).total).toBe(0)
    expect(seenEvents).toEqual([])
  })

  it('stores the forgery as invalid:MALFORMED_HEADER without RECEIVER_REQUIRE_SIGNATURE', async () => {
    const res = await post(fromEnv({}), forgedBody, await forged('date'))
    expect(res.status).toBe(200)
    expect((await store.get(1))?.verdict).toBe('invalid:MALFORMED_HEADER')
  })

  it('stores verified-headers-only for a valid signature without a body digest', async () => {
    const app = makeApp({ secret: SECRET, now: () => CREATED + 5 })
    const body = EXAMPLE_EVENTS.jobLive
    const headers = { 'content-type': 'application/json' }
    const signed = await signWebhook({
      body,
      secret: SECRET,
      created: CREATED,
      components: ['date', 'content-type'],
      headers,
    })
    expect((await post(app, body, { ...headers, ...signed })).status).toBe(200)
    expect((await store.get(1))?.verdict).toBe('verified-headers-only')
    expect((await store.list()).items[0]?.verdict).toBe('verified-headers-only')
  })

  it('records the re-split into an unknown header as verified-headers-only, never verified', async () => {
    // UP42's scheme cannot refuse this one (names are not signed); the verdict says so.
    const replies = []
    for (const env of [{}, { RECEIVER_REQUIRE_SIGNATURE: '1' }] as Record<string, string>[]) {
      replies.push(await (await post(fromEnv(env), forgedBody, await forged('x-anything'))).text())
    }
    expect(replies).toEqual([
      '{"msg": "value with key 1 stored"}\n',
      '{"msg": "duplicate of key 1"}\n',
    ])
    expect((await store.get(1))?.verdict).toBe('verified-headers-only')
  })

  it('with RECEIVER_REQUIRE_BODY_DIGEST=1 answers 401 to anything but verified and stores nothing', async () => {
    const app = fromEnv({ RECEIVER_REQUIRE_BODY_DIGEST: '1' })
    const headersOnly = await post(app, forgedBody, await forged('x-anything'))
    expect(headersOnly.status).toBe(401)
    expect(await headersOnly.text()).toBe('{"code": 401, "msg": "signature verified-headers-only"}')
    expect((await post(app, forgedBody, await forged('date'))).status).toBe(401)
    expect((await post(app, EXAMPLE_EVENTS.jobLive)).status).toBe(401)
    expect((await store.stats()).total).toBe(0)
    expect(seenEvents).toEqual([])

    const fresh = await signWebhook({
      body: EXAMPLE_EVENTS.jobLive,
      secret: SECRET,
      created: now(),
    })
    const ok = await post(app, EXAMPLE_EVENTS.jobLive, fresh)
    expect(await ok.text()).toBe('{"msg": "value with key 1 stored"}\n')
    expect((await store.get(1))?.verdict).toBe('verified')
  })

  it('refuses requireBodyDigest without a secret', () => {
    expect(() => createApp({ store, requireBodyDigest: true })).toThrow(/requireBodyDigest/)
  })
})

describe('createApp: JSON API', () => {
  async function seed(app: ReturnType<typeof makeApp>) {
    await post(app, EXAMPLE_EVENTS.jobTest)
    await post(app, EXAMPLE_EVENTS.jobLive)
    await post(app, EXAMPLE_EVENTS.orderLive)
  }

  it('lists newest first with filters and cursor pagination', async () => {
    const app = makeApp()
    await seed(app)
    const page1 = (await (await app.request('/api/webhooks?limit=2')).json()) as {
      items: { id: number }[]
      nextCursor: string | null
    }
    expect(page1.items.map((w) => w.id)).toEqual([3, 2])
    expect(page1.nextCursor).toBe('2')
    const page2 = (await (
      await app.request(`/api/webhooks?limit=2&cursor=${page1.nextCursor}`)
    ).json()) as typeof page1
    expect(page2).toMatchObject({ items: [{ id: 1 }], nextCursor: null })
    const ids = async (q: string) =>
      ((await (await app.request(`/api/webhooks?${q}`)).json()) as typeof page1).items.map(
        (w) => w.id
      )
    expect(await ids('event=job.status')).toEqual([2, 1])
    expect(await ids('liveMode=false')).toEqual([1])
    expect(await ids('status=FULFILLED')).toEqual([3])
    // search is indexed in the background (about a second behind); catch up before searching
    await store.whenSearchable?.()
    expect(await ids('q=oneatlas')).toEqual([3])
    expect(await ids('jobId=FB0DA199-01DF-4635-910D-A823AE7DC200')).toEqual([1])
    expect(await ids('orderId=86296865-9e91-4a16-9a3c-d4eaa584c03e')).toEqual([3])
  })

  it.each(['limit=0', 'limit=501', 'cursor=x', 'liveMode=1'])(
    'rejects /api/webhooks?%s with 400',
    async (q) => {
      expect((await makeApp().request(`/api/webhooks?${q}`)).status).toBe(400)
    }
  )

  it('returns the full record, or 404', async () => {
    const app = makeApp()
    await seed(app)
    const res = await app.request('/api/webhooks/2')
    expect(res.status).toBe(200)
    const record = (await res.json()) as Record<string, unknown>
    expect(record).toMatchObject({
      id: 2,
      messageId: JOB_LIVE_MESSAGE_ID,
      body: EXAMPLE_EVENTS.jobLive,
      verdict: 'unchecked',
      deliveryCount: 1,
    })
    const missing = await app.request('/api/webhooks/99')
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe('{"code": 404, "msg": "webhook 99 not found"}')
    expect((await app.request('/api/webhooks/abc')).status).toBe(404)
  })

  it('deletes one webhook, announcing it, and 404s the second time', async () => {
    const app = makeApp()
    await seed(app)
    const res = await app.request('/api/webhooks/2', { method: 'DELETE' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ deleted: 1 })
    expect((await app.request('/api/webhooks/2', { method: 'DELETE' })).status).toBe(404)
    expect(seenEvents.at(-1)).toEqual({ type: 'deleted', id: 2 })
    expect((await store.stats()).total).toBe(2)
  })

  it('deletes everything only with confirm=yes', async () => {
    const app = makeApp()
    await seed(app)
    const refused = await app.request('/api/webhooks', { method: 'DELETE' })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toBe(
      '{"code": 400, "msg": "deleting every webhook needs ?confirm=yes"}'
    )
    expect((await store.stats()).total).toBe(3)
    const res = await app.request('/api/webhooks?confirm=yes', { method: 'DELETE' })
    expect(await res.json()).toEqual({ deleted: 3 })
    expect(seenEvents.at(-1)).toEqual({ type: 'cleared', count: 3 })
    expect(await (await post(app, '{}')).text()).toBe('{"msg": "value with key 4 stored"}\n')
  })

  it('counts by event and status', async () => {
    const app = makeApp()
    await seed(app)
    expect(await (await app.request('/api/stats')).json()).toEqual({
      total: 3,
      byEvent: { 'job.status': 2, 'order.status': 1 },
      byStatus: { FAILED: 1, FULFILLED: 1, PENDING: 1 },
    })
  })
})
