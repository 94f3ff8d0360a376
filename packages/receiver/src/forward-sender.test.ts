import { EXAMPLE_EVENTS, signWebhook, verifyWebhook } from '@up42-webhooks/shared'
import { startRecordingServer } from '@up42-webhooks/test-support'
import type { RecordingServer } from '@up42-webhooks/test-support'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { displayUrl, forwardWebhook, parseForwardTarget } from './forward-sender.ts'
import { createSqliteStore } from './sqlite-store.ts'
import { input } from './store-contract.ts'
import type { WebhookRecord } from './store.ts'

const SECRET = 'forward-secret'
const OLD = Math.floor(Date.UTC(2022, 6, 25, 16, 2, 34) / 1000)

/** A webhook stored with UP42's headers as signed long ago, plus hop-by-hop and credential ones. */
async function storedRecord(): Promise<WebhookRecord> {
  const body = new TextEncoder().encode(EXAMPLE_EVENTS.jobLive)
  const signed = await signWebhook({ body, secret: SECRET, created: OLD })
  const store = createSqliteStore({ path: ':memory:' })
  const { id } = await store.insert(
    input(EXAMPLE_EVENTS.jobLive, {
      headers: {
        'content-type': 'application/json',
        connection: 'keep-alive',
        'x-api-key': 'KeY',
        ...signed,
      },
    })
  )
  const record = (await store.get(id))!
  await store.close()
  return record
}

describe('forwardWebhook', () => {
  let app: RecordingServer

  beforeEach(async () => {
    app = await startRecordingServer({ fallback: { status: 204 } })
  })
  afterEach(() => app.close())

  it('sends the stored bytes and signature as they came, without hop-by-hop or credential headers', async () => {
    const record = await storedRecord()
    const outcome = await forwardWebhook(record, parseForwardTarget(`${app.url}/in`), {
      mode: 'raw',
      idempotencyKey: 'm:forward',
    })
    expect(outcome).toMatchObject({ outcome: 'delivered', status: 204, error: null })
    const [request] = app.requests
    expect(request!.body.toString()).toBe(EXAMPLE_EVENTS.jobLive)
    expect(request!.headers.signature).toBe(record.headers.signature)
    expect(request!.headers['x-api-key']).toBeUndefined()
    expect(request!.headers['idempotency-key']).toBe('m:forward')
    expect(request!.headers.authorization).toBeUndefined()
  })

  it('re-signs in resign mode so an app checking the age verifies it now; user info becomes basic auth', async () => {
    const record = await storedRecord()
    const target = parseForwardTarget(`${app.url.replace('://', '://me:pä%C3%9F@')}/in`)
    await forwardWebhook(record, target, { mode: 'resign', secret: SECRET, idempotencyKey: 'k' })
    const [request] = app.requests
    const headers = Object.fromEntries(
      Object.entries(request!.headers).map(([k, v]) => [k, String(v)])
    )
    const verified = await verifyWebhook({ headers, body: request!.body }, { secret: SECRET })
    expect(verified).toBeDefined()
    expect(request!.headers.signature).not.toBe(record.headers.signature)
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('me:päß').toString('base64')}`)
  })

  it('does not follow a redirect: a 3xx fails at once; 503 with Retry-After is a retry', async () => {
    const record = await storedRecord()
    const target = parseForwardTarget(`${app.url}/in`)
    app.script({ status: 302, headers: { location: 'http://169.254.169.254/' } })
    const moved = await forwardWebhook(record, target, { mode: 'raw', idempotencyKey: 'k' })
    expect(moved).toMatchObject({ outcome: 'failed', status: 302 })
    app.script({ status: 503, headers: { 'retry-after': '7' }, body: 'x'.repeat(2000) })
    const busy = await forwardWebhook(record, target, { mode: 'raw', idempotencyKey: 'k' })
    expect(busy).toMatchObject({ outcome: 'retry', status: 503, retryAfterMs: 7000 })
    expect(busy.responseExcerpt).toHaveLength(512)
    expect(busy.responseExcerpt!.endsWith('…')).toBe(true)
    expect(app.requests).toHaveLength(2)
  })
})

describe('forwardWebhook answers', () => {
  it('never records a query token the app echoes in its answer', async () => {
    const app = await startRecordingServer({ fallback: { status: 204 } })
    try {
      app.script({ status: 401, body: 'unknown token QUERYSECRET42 for x=1' })
      const target = parseForwardTarget(`${app.url}/in?token=QUERYSECRET42&x=1`)
      const outcome = await forwardWebhook(await storedRecord(), target, {
        mode: 'raw',
        idempotencyKey: 'k',
      })
      expect(outcome).toMatchObject({ outcome: 'failed', status: 401 })
      expect(outcome.responseExcerpt).toBe('unknown token *** for x=1')
      expect(JSON.stringify(outcome)).not.toContain('QUERYSECRET42')
    } finally {
      await app.close()
    }
  })
})

describe('parseForwardTarget', () => {
  it('masks user info and query values in what is shown, and refuses other schemes', () => {
    expect(parseForwardTarget('https://u:pw@app.example/hook?token=abc&x=1#f').display).toBe(
      'https://***@app.example/hook?token=***&x=***'
    )
    expect(displayUrl(new URL('http://localhost:3000/webhooks'))).toBe(
      'http://localhost:3000/webhooks'
    )
    expect(() => parseForwardTarget('file:///etc/passwd')).toThrow(/http:\/\/ or https:\/\//)
    expect(() => parseForwardTarget('localhost:3000')).toThrow()
  })
})
