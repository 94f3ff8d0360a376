import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { jobEvent, signedHeaders } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import { createSqliteStore } from './sqlite-store.ts'
import type { WebhookRecord, WebhookStore } from './store.ts'
import { createWebhookEvents } from './webhook-events.ts'

describe('GET /api/export and POST /api/import', () => {
  let dir: string
  let source: WebhookStore
  let target: WebhookStore
  let from: ReturnType<typeof createApp>
  let to: ReturnType<typeof createApp>

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inspector-export-'))
    source = createSqliteStore({ path: join(dir, 'source.db') })
    target = createSqliteStore({ path: join(dir, 'target.db') })
    from = createApp({ store: source, secret: 'inspector-test-secret' })
    to = createApp({ store: target })
    const bodies = [
      jobEvent({ messageId: 'm-1', jobId: 'job-a', status: 'RUNNING' }),
      jobEvent({ messageId: 'm-2', jobId: 'job-a', status: 'SUCCEEDED', liveMode: false }),
      jobEvent({ messageId: 'm-3', jobId: 'job-b', status: 'FAILED' }),
    ]
    for (const body of bodies) {
      const res = await from.request('/receive-webhooks', {
        method: 'POST',
        body,
        headers: {
          ...(await signedHeaders(body)),
          authorization: 'Basic c2VjcmV0OnNlY3JldA==',
          'x-forwarded-for': '10.0.0.1',
        },
      })
      expect(res.status).toBe(200)
    }
    // a duplicate delivery, so the exported deliveryCount is 2 for m-1
    await from.request('/receive-webhooks', {
      method: 'POST',
      body: bodies[0],
      headers: { 'content-type': 'application/json' },
    })
  })
  afterEach(async () => {
    await source.close()
    await target.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const exportText = async (app: ReturnType<typeof createApp>, query = '') => {
    const res = await app.request(`/api/export${query}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/)
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="webhooks-.*\.ndjson"$/
    )
    return res.text()
  }
  const importText = (text: string) =>
    to.request('/api/import', {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/x-ndjson' },
    })

  it('Should export one full record per line, oldest first, without credentials', async () => {
    const lines = (await exportText(from)).trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    const records = lines.map((line) => JSON.parse(line) as WebhookRecord)
    expect(records.map((r) => r.id)).toEqual([1, 2, 3])
    const first = (await source.get(1))!
    expect(records[0]).toEqual(first)
    expect(records[0]!.deliveryCount).toBe(2)
    expect(Buffer.from(records[0]!.bodyBase64, 'base64').toString()).toBe(first.body)
    expect(records[0]!.headers['signature']).toBeDefined()
    for (const record of records) expect(Object.keys(record.headers)).not.toContain('authorization')
  })

  it('Should export only the current filter', async () => {
    const text = await exportText(from, '?status=FAILED')
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).messageId)
    ).toEqual(['m-3'])
    expect((await from.request('/api/export?liveMode=maybe')).status).toBe(400)
  })

  it('Should round-trip: an import keeps bytes, headers, received time and verdict', async () => {
    const text = await exportText(from)
    const res = await importText(text)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ total: 3, imported: 3, duplicates: 0 })

    for (let id = 1; id <= 3; id++) {
      const before = (await source.get(id))!
      const after = (await target.get(id))!
      expect(after.bodyBase64).toBe(before.bodyBase64)
      expect(after.headers).toEqual(before.headers)
      expect(after.receivedAt).toBe(before.receivedAt)
      expect(after.verdict).toBe(before.verdict)
      expect(after.messageId).toBe(before.messageId)
      expect(after.status).toBe(before.status)
    }
    expect((await target.get(1))!.verdict).toBe('verified')
    // and the re-export of the copy is the same data
    const again = (await exportText(to))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    const original = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(
      again.map(({ bodyBase64, receivedAt, headers, verdict }) => ({
        bodyBase64,
        receivedAt,
        headers,
        verdict,
      }))
    ).toEqual(
      original.map(({ bodyBase64, receivedAt, headers, verdict }) => ({
        bodyBase64,
        receivedAt,
        headers,
        verdict,
      }))
    )
  })

  it('Should count a second import of the same file as duplicates (dedup by messageId)', async () => {
    const text = await exportText(from)
    await importText(text)
    const res = await importText(text)
    expect(await res.json()).toEqual({ total: 3, imported: 0, duplicates: 3 })
    expect((await target.stats()).total).toBe(3)
  })

  it('Should refuse a file with bad lines as a whole, naming every bad line', async () => {
    const good = (await exportText(from)).trimEnd().split('\n')
    const bad = [
      good[0],
      '{"bodyBase64": "not base64!", "receivedAt": "2024-01-01T00:00:00Z"}',
      '',
      'not json',
      good[1],
      JSON.stringify({
        bodyBase64: Buffer.from('plain text').toString('base64'),
        receivedAt: '2024-01-01T00:00:00Z',
      }),
      JSON.stringify({ ...JSON.parse(good[2]!), receivedAt: 'yesterday' }),
      // the intake's rule, as on /receive-webhooks: only a JSON object is a webhook
      JSON.stringify({
        bodyBase64: Buffer.from('[1, 2]').toString('base64'),
        receivedAt: '2024-01-01T00:00:00Z',
      }),
    ].join('\n')
    const res = await importText(bad)
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.msg).toMatch(/5 invalid lines.*nothing was imported/)
    expect(body.errors).toEqual([
      { line: 2, message: 'bodyBase64 must be non-empty base64' },
      { line: 4, message: 'not JSON' },
      { line: 6, message: 'bodyBase64 does not decode to UTF-8 JSON' },
      { line: 7, message: 'receivedAt must be an ISO 8601 time' },
      { line: 8, message: 'bodyBase64 does not decode to a JSON object' },
    ])
    expect((await target.stats()).total).toBe(0)
  })

  const record = (fields: Record<string, unknown> = {}) =>
    JSON.stringify({
      bodyBase64: Buffer.from(jobEvent({ messageId: `r-${Math.random()}` })).toString('base64'),
      receivedAt: '2024-05-01T12:00:00.000Z',
      ...fields,
    })

  it.each([
    ['a number past what a Date holds', 1e20],
    ['just past the last valid time', 8_640_000_000_000_001],
    ['an ISO time past the Date range', '+275760-09-13T00:00:00.001Z'],
    ['a time before 1970', '1969-12-31T23:59:59Z'],
    ['not a time', { at: 'noon' }],
    ['missing', undefined],
  ])('Should refuse receivedAt %s with 400 naming the line, storing nothing', async (_, time) => {
    const res = await importText([record(), record({ receivedAt: time })].join('\n'))
    expect(res.status).toBe(400)
    expect((await res.json()).errors).toEqual([
      { line: 2, message: 'receivedAt must be an ISO 8601 time' },
    ])
    expect((await target.stats()).total).toBe(0)
  })

  it('Should keep the latest and earliest valid times', async () => {
    const res = await importText(
      [record({ receivedAt: 8_640_000_000_000_000 }), record({ receivedAt: 0 })].join('\n')
    )
    expect(res.status).toBe(200)
    expect((await target.get(1))!.receivedAt).toBe('+275760-09-13T00:00:00.000Z')
    expect((await target.get(2))!.receivedAt).toBe('1970-01-01T00:00:00.000Z')
  })

  it('Should refuse records whose body is over RECEIVER_MAX_BODY_BYTES, however long the line', async () => {
    const app = createApp({ store: target, maxBodyBytes: 2048 })
    const body = (size: number) => {
      const empty = JSON.stringify({ messageId: `big-${size}`, pad: '' })
      return Buffer.from(
        JSON.stringify({ messageId: `big-${size}`, pad: 'x'.repeat(size - empty.length) })
      )
    }
    const lines = [
      record({ bodyBase64: body(2048).toString('base64') }),
      record({ bodyBase64: body(2049).toString('base64') }),
      // far past the longest line a 2 KiB body can make: skipped without being kept whole
      record({ bodyBase64: body(3 * 1024 * 1024).toString('base64') }),
      record(),
    ]
    const res = await app.request('/api/import', {
      method: 'POST',
      body: lines.join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    })
    expect(res.status).toBe(400)
    expect((await res.json()).errors).toEqual([
      { line: 2, message: 'body is 2049 bytes, larger than RECEIVER_MAX_BODY_BYTES (2048)' },
      {
        line: 3,
        message: expect.stringMatching(/^line longer than \d+ bytes: its body is over 2048 bytes$/),
      },
    ])
    expect((await target.stats()).total).toBe(0)
    const ok = await app.request('/api/import', {
      method: 'POST',
      body: lines[0]!,
      headers: { 'content-type': 'application/x-ndjson' },
    })
    expect(await ok.json()).toEqual({ total: 1, imported: 1, duplicates: 0 })
  })

  it('Should stop at the 100th bad line and list those 100', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? record() : `bad ${i}`))
    const res = await importText(lines.join('\r\n'))
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.errors).toHaveLength(100)
    expect(body.errors.map((e: { line: number }) => e.line)).toEqual(
      Array.from({ length: 150 }, (_, i) => i + 1)
        .filter((n) => n % 3 !== 1)
        .slice(0, 100)
    )
    expect(body.msg).toMatch(
      /^100 invalid lines, stopped reading at line 150 \(first: line 2: not JSON\); nothing was imported$/
    )
    expect((await target.stats()).total).toBe(0)
  })

  it('Should refuse an empty upload', async () => {
    const res = await importText('\n\n')
    expect(res.status).toBe(400)
    expect((await res.json()).msg).toMatch(/no webhook/)
  })

  it('Should refuse an upload over the size limit with 413, storing nothing', async () => {
    const { createTransferRoutes } = await import('./routes/transfer.ts')
    const routes = createTransferRoutes({
      store: target,
      events: createWebhookEvents(),
      maxImportBytes: 100,
    })
    const res = await routes.request('/api/import', {
      method: 'POST',
      body: await exportText(from),
    })
    expect(res.status).toBe(413)
    expect(await res.text()).toMatch(/import larger than 100 bytes/)
    expect((await target.stats()).total).toBe(0)
  })

  it('Should announce imported webhooks to live listeners', async () => {
    const events = createWebhookEvents()
    const seen: number[] = []
    events.subscribe((event) => {
      if (event.type === 'stored') seen.push(event.webhook.id)
    })
    const app = createApp({ store: target, events })
    await app.request('/api/import', {
      method: 'POST',
      body: await exportText(from),
      headers: { 'content-type': 'application/x-ndjson' },
    })
    expect(seen).toEqual([1, 2, 3])
  })

  it('Should drop credential headers found in an imported file', async () => {
    const line = JSON.stringify({
      bodyBase64: Buffer.from(jobEvent({ messageId: 'imp-1' })).toString('base64'),
      receivedAt: '2024-05-01T12:00:00.000Z',
      headers: {
        'content-type': 'application/json',
        authorization: 'Basic eDp5',
        'x-webhook-secret': 's',
      },
      verdict: 'unsigned',
    })
    expect((await importText(line)).status).toBe(200)
    const stored = (await target.get(1))!
    expect(stored.headers).toEqual({ 'content-type': 'application/json' })
    expect(stored.receivedAt).toBe('2024-05-01T12:00:00.000Z')
    expect(stored.verdict).toBe('unsigned')
  })
})
