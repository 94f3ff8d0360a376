import { signWebhook, verifyWebhook } from '@up42-webhooks/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobEvent, SECRET, startTarget } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import { toWebhookInput } from './intake.ts'
import { toCurl } from './inspector/client/curl.js'
import { HOP_BY_HOP_HEADERS } from '@up42-webhooks/common'
import type { WebhookStore } from './store.ts'
import { useMemoryStore } from '../test/memory-store.ts'

// One value per credential header, so a leak on any path shows which header leaked.
const CREDENTIALS: Record<string, string> = {
  'x-api-key': 'leak-x-api-key',
  apikey: 'leak-apikey',
  'x-auth-token': 'leak-x-auth-token',
  'x-webhook-secret': 'leak-x-webhook-secret',
  cookie: 'sid=leak-cookie',
  authorization: 'Bearer leak-authorization',
}
const LEAKS = Object.values(CREDENTIALS)

/** The secret values found in `text` (none, when nothing leaked). */
const leaked = (text: string) => LEAKS.filter((value) => text.includes(value))

describe('one redaction rule on every path that lets headers out', () => {
  let store: WebhookStore
  let app: ReturnType<typeof createApp>
  let target: Awaited<ReturnType<typeof startTarget>>

  beforeAll(async () => {
    target = await startTarget()
  })
  afterAll(async () => {
    await target.close()
  })
  useMemoryStore((opened) => {
    store = opened
    app = createApp({ store, secret: SECRET, replayUrl: target.url })
    target.requests.length = 0
  })

  const deliver = async (body: string, headers: Record<string, string>) => {
    const res = await app.request('/receive-webhooks', { method: 'POST', body, headers })
    expect(res.status).toBe(200)
    return Number(/key (\d+)/.exec(await res.text())![1])
  }

  /** A record as an older version (or a direct store user) may have stored it: credentials in. */
  const storeWithCredentials = async (messageId: string) =>
    (
      await store.insert({
        // stored as an older version did, credentials included
        ...toWebhookInput({
          body: Buffer.from(jobEvent({ messageId })),
          headers: {},
          verdict: 'unchecked',
        }),
        headers: { 'content-type': 'application/json', 'x-trace': 'kept', ...CREDENTIALS },
      })
    ).id

  it('Should not store credential headers that arrive with a webhook', async () => {
    const id = await deliver(jobEvent({ messageId: 'intake' }), {
      'content-type': 'application/json',
      'x-trace': 'kept',
      ...CREDENTIALS,
    })
    const stored = await store.get(id)
    expect(stored!.headers['x-trace']).toBe('kept')
    expect(leaked(JSON.stringify(stored))).toEqual([])
  })

  it('Should hide stored credentials in the API and so in "Copy as curl"', async () => {
    const id = await storeWithCredentials('api')
    const res = await app.request(`/api/webhooks/${id}`)
    const text = await res.text()
    expect(leaked(text)).toEqual([])
    const record = JSON.parse(text)
    expect(record.headers['x-trace']).toBe('kept')
    // the page builds the curl command from this API record
    const curl = toCurl(record, target.url, HOP_BY_HOP_HEADERS)
    expect(curl).toContain("-H 'x-trace: kept'")
    expect(leaked(curl)).toEqual([])
  })

  it('Should leave stored credentials out of the export', async () => {
    await storeWithCredentials('export')
    const text = await (await app.request('/api/export')).text()
    expect(JSON.parse(text).headers['x-trace']).toBe('kept')
    expect(leaked(text)).toEqual([])
  })

  it('Should not store credential headers of imported records', async () => {
    const line = JSON.stringify({
      bodyBase64: Buffer.from(jobEvent({ messageId: 'import' })).toString('base64'),
      receivedAt: '2024-01-01T00:00:00Z',
      headers: { 'x-trace': 'kept', ...CREDENTIALS },
    })
    const res = await app.request('/api/import', {
      method: 'POST',
      body: `${line}\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    })
    expect(res.status).toBe(200)
    const stored = await store.get(1)
    expect(stored!.headers['x-trace']).toBe('kept')
    expect(leaked(JSON.stringify(stored))).toEqual([])
  })

  it('Should not send stored credentials in a raw replay', async () => {
    const id = await storeWithCredentials('replay')
    const res = await app.request(`/api/webhooks/${id}/replay`, {
      method: 'POST',
      body: JSON.stringify({ mode: 'raw' }),
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(200)
    const sent = target.requests[0]!.headers
    expect(sent['x-trace']).toBe('kept')
    expect(leaked(JSON.stringify(sent))).toEqual([])
  })

  it('Should keep a credential-named header the signature covers, everywhere, so it re-verifies', async () => {
    const body = jobEvent({ messageId: 'covered' })
    const signed = await signWebhook({
      body,
      secret: SECRET,
      components: ['date', 'content-digest', 'x-webhook-secret'],
      headers: { 'x-webhook-secret': 'covered-value' },
    })
    const id = await deliver(body, {
      'content-type': 'application/json',
      'x-webhook-secret': 'covered-value',
      'x-api-key': 'leak-x-api-key',
      ...signed,
    })
    const expectKept = (headers: Record<string, unknown>, where: string) => {
      expect(headers['x-webhook-secret'], where).toBe('covered-value')
      expect(headers['x-api-key'], where).toBeUndefined()
    }
    const stored = (await store.get(id))!
    expect(stored.verdict).toBe('verified')
    expectKept(stored.headers, 'stored')
    const record = await (await app.request(`/api/webhooks/${id}`)).json()
    expectKept(record.headers, 'API')
    expect(toCurl(record, target.url, HOP_BY_HOP_HEADERS)).toContain(
      "-H 'x-webhook-secret: covered-value'"
    )
    expectKept(JSON.parse(await (await app.request('/api/export')).text()).headers, 'export')

    await app.request(`/api/webhooks/${id}/replay`, {
      method: 'POST',
      body: JSON.stringify({ mode: 'raw' }),
      headers: { 'content-type': 'application/json' },
    })
    const got = target.requests[0]!
    expectKept(got.headers, 'raw replay')
    const verified = await verifyWebhook(
      { headers: got.headers, body: got.body },
      { secret: SECRET }
    )
    expect(verified.components).toContain('x-webhook-secret')
  })
})
