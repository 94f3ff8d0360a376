import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { encodeBasicAuth } from '@up42-webhooks/common'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import {
  closedPortUrl,
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
} from '@up42-webhooks/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discordService, ntfyService, slackService, teamsService } from '../test/fake-services.ts'
import { parseNotifyTarget } from './parse-notify-target.ts'
import type { HttpTransport } from './http-transport.ts'
import { createUndiciTransport } from './node/undici-transport.ts'
import { sendHttp } from './send-http.ts'
import { sendNotification } from './send-notification.ts'
import { noticeOf, type WebhookNotice } from './webhook-notice.ts'

const PUBLIC_URL = 'https://relay.example.com'
const failedJob = noticeOf(EXAMPLE_EVENTS.jobLive, {
  webhookId: 42,
  receivedAt: '2022-07-25T16:02:35.000Z',
  publicUrl: PUBLIC_URL,
})
const testJob = noticeOf(EXAMPLE_EVENTS.jobTest, { webhookId: 43, publicUrl: PUBLIC_URL })
const order = noticeOf(EXAMPLE_EVENTS.orderLive, { webhookId: 44, publicUrl: PUBLIC_URL })
const LOG_URL = failedJob.failedTasks[0]!.logUrl!

const servers: RecordingServer[] = []
async function serve(fallback: Parameters<typeof startRecordingServer>[0]) {
  const server = await startRecordingServer(fallback)
  servers.push(server)
  return server
}
afterAll(() => Promise.all(servers.map((server) => server.close())))

// every outcome holds for the Web transport (fetch) and the receiver's (undici's request)
const undici = createUndiciTransport()
afterAll(() => undici.close())
const TRANSPORTS: [string, HttpTransport | undefined][] = [
  ['fetch', undefined],
  ['undici', undici.transport],
]

function last(server: RecordingServer): RecordedRequest {
  const request = server.requests.at(-1)
  if (request === undefined) throw new Error('nothing reached the server')
  return request
}
const bodyJson = (request: RecordedRequest) => JSON.parse(request.body.toString('utf8'))

describe('ntfy', () => {
  let ntfy: RecordingServer
  beforeAll(async () => {
    ntfy = await serve({ fallback: ntfyService() })
  })

  it('POSTs the text with Title, Priority high for a failure, Tags, Click and Idempotency-Key', async () => {
    const destination = parseNotifyTarget(`ntfy+${ntfy.url}/up42-alerts`)
    const outcome = await sendNotification(destination, [failedJob], {
      idempotencyKey: '258270de:ntfy',
    })
    expect(outcome).toMatchObject({ outcome: 'delivered', status: 200, error: null })
    expect(JSON.parse(outcome.responseExcerpt!)).toMatchObject({
      event: 'message',
      topic: 'up42-alerts',
    })
    const request = last(ntfy)
    expect(request.method).toBe('POST')
    expect(request.path).toBe('/up42-alerts')
    expect(request.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      title: 'Job 6dbe8956 FAILED',
      priority: 'high',
      tags: 'x,up42',
      click: `${PUBLIC_URL}/?id=42`,
      'idempotency-key': '258270de:ntfy',
    })
    expect(request.headers.authorization).toBeUndefined()
    const text = request.body.toString('utf8')
    expect(text).toContain('Job: 6dbe8956-b8c5-47b3-9f56-b1686628aa19')
    expect(text).toContain('Took: 3m 34s')
    expect(text).toContain(LOG_URL)
  })

  it('uses the default priority for success and tags test events', async () => {
    const destination = parseNotifyTarget(`ntfy+${ntfy.url}/t`)
    await sendNotification(destination, [order])
    expect(last(ntfy).headers).toMatchObject({ priority: 'default', tags: 'white_check_mark,up42' })
    await sendNotification(destination, [testJob])
    expect(last(ntfy).headers).toMatchObject({
      title: '[TEST] Job FB0DA199 PENDING',
      tags: 'information_source,up42,test_tube',
    })
  })

  it('turns user:pass@ into basic auth and :token@ into a bearer token, off the URL', async () => {
    const host = ntfy.url.replace('http://', '')
    await sendNotification(parseNotifyTarget(`ntfy+http://phil:p%C3%A4ss@${host}/t`), [order])
    expect(last(ntfy).headers.authorization).toBe(encodeBasicAuth('phil', 'päss'))
    await sendNotification(parseNotifyTarget(`ntfy+http://:tk_abc123@${host}/t`), [order])
    expect(last(ntfy).headers.authorization).toBe('Bearer tk_abc123')
  })

  it('turns ?auth= into the Authorization header it encodes (ntfy docs example) and drops it from the URL', async () => {
    const secured = await serve({
      fallback: ntfyService({ authorization: 'Basic dGVzdHVzZXI6ZmFrZXBhc3N3b3Jk' }),
    })
    const destination = parseNotifyTarget(
      `ntfy+${secured.url}/mysecrets?auth=QmFzaWMgZEdWemRIVnpaWEk2Wm1GclpYQmhjM04zYjNKaw`
    )
    const outcome = await sendNotification(destination, [order])
    expect(outcome.outcome).toBe('delivered')
    expect(last(secured).path).toBe('/mysecrets')
    await sendNotification(parseNotifyTarget(`ntfy+${secured.url}/mysecrets?auth=tk_plain`), [
      order,
    ])
    expect(last(secured).headers.authorization).toBe('Bearer tk_plain')
  })

  it('is failed on 401, with the excerpt and no secret in error or excerpt', async () => {
    const secured = await serve({ fallback: ntfyService({ authorization: 'Bearer right' }) })
    const destination = parseNotifyTarget(`ntfy+${secured.url}/t?auth=tk_wrongsecret`)
    const outcome = await sendNotification(destination, [order])
    expect(outcome).toMatchObject({ outcome: 'failed', status: 401, retryAfterMs: null })
    expect(outcome.responseExcerpt).toContain('unauthorized')
    expect(JSON.stringify(outcome)).not.toContain('tk_wrongsecret')
    expect(destination.display).not.toContain('tk_wrongsecret')
  })

  it('puts a digest in one message with the publicUrl as Click', async () => {
    const destination = parseNotifyTarget(`ntfy+${ntfy.url}/t`)
    await sendNotification(destination, [order, order, failedJob], { publicUrl: PUBLIC_URL })
    const request = last(ntfy)
    expect(request.headers).toMatchObject({
      title: '2 orders FULFILLED, 1 job FAILED',
      priority: 'high',
      click: PUBLIC_URL,
    })
    expect(request.body.toString('utf8').split('\n')).toHaveLength(3)
  })
})

describe('Slack', () => {
  let slack: RecordingServer
  beforeAll(async () => {
    slack = await serve({ fallback: slackService() })
  })

  it('sends text (the fallback) and blocks; Slack answers 200 ok', async () => {
    const destination = parseNotifyTarget(`slack+${slack.url}/services/T0/B0/SLACKTOKEN`)
    const outcome = await sendNotification(destination, [failedJob], { idempotencyKey: 'k:slack' })
    expect(outcome).toMatchObject({ outcome: 'delivered', status: 200, responseExcerpt: 'ok' })
    const request = last(slack)
    expect(request.path).toBe('/services/T0/B0/SLACKTOKEN')
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(request.headers['idempotency-key']).toBe('k:slack')
    const body = bodyJson(request)
    expect(body.text).toMatch(/^Job 6dbe8956 FAILED\n/)
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Job 6dbe8956 FAILED', emoji: false },
    })
    const fields = body.blocks[1].fields.map((field: { text: string }) => field.text)
    expect(fields).toContain('*Job*\n6dbe8956-b8c5-47b3-9f56-b1686628aa19')
    expect(fields).toContain('*Mode*\nlive')
    expect(body.blocks[2].text.text).toContain(`<${LOG_URL}|b3a59b77 FAILED> (log)`)
    expect(body.blocks[3].elements[0].text).toBe(`<${PUBLIC_URL}/?id=42|Open in the inspector>`)
  })

  it('escapes payload text, so a task name cannot ping <!channel> or forge a link', async () => {
    const destination = parseNotifyTarget(`slack+${slack.url}/services/T/B/X`)
    const hostile: WebhookNotice = {
      ...failedJob,
      failedTasks: [
        {
          id: 'a',
          name: '<!channel> & <https://evil|click>',
          status: 'FAILED',
          logUrl: 'https://x.example/a|b>c',
        },
      ],
    }
    await sendNotification(destination, [hostile])
    const body = last(slack).body.toString('utf8')
    expect(body).not.toContain('<!channel>')
    expect(body).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;')
    expect(body).toContain('https://x.example/a%7Cb%3Ec|')
  })

  it('marks test events', async () => {
    const destination = parseNotifyTarget(`slack+${slack.url}/services/T/B/X`)
    await sendNotification(destination, [testJob])
    const body = bodyJson(last(slack))
    expect(body.blocks[0].text.text).toBe('[TEST] Job FB0DA199 PENDING')
    expect(body.blocks[1].elements[0].text).toBe('Test event (liveMode: false)')
  })

  it('sends a digest as one message', async () => {
    const destination = parseNotifyTarget(`slack+${slack.url}/services/T/B/X`)
    const outcome = await sendNotification(destination, [order, order, failedJob])
    expect(outcome.outcome).toBe('delivered')
    const body = bodyJson(last(slack))
    expect(body.blocks[0].text.text).toBe('2 orders FULFILLED, 1 job FAILED')
    expect(body.blocks[1].text.text.split('\n')).toHaveLength(3)
  })
})

describe('Discord', () => {
  let discord: RecordingServer
  beforeAll(async () => {
    discord = await serve({ fallback: discordService() })
  })

  it('sends an embed with title, colour by outcome and fields; Discord answers 204', async () => {
    const destination = parseNotifyTarget(`discord+${discord.url}/api/webhooks/1/DISCORDTOKEN`)
    const outcome = await sendNotification(destination, [failedJob])
    expect(outcome).toMatchObject({ outcome: 'delivered', status: 204, responseExcerpt: null })
    const body = bodyJson(last(discord))
    expect(body.allowed_mentions).toEqual({ parse: [] })
    expect(body.content).toBe('Job 6dbe8956 FAILED')
    const [embed] = body.embeds
    expect(embed).toMatchObject({
      title: 'Job 6dbe8956 FAILED',
      url: `${PUBLIC_URL}/?id=42`,
      color: 0xd1242f,
      timestamp: '2022-07-25T16:02:35.000Z',
    })
    expect(embed.fields).toContainEqual({ name: 'Status', value: 'FAILED', inline: true })
    expect(embed.fields).toContainEqual({
      name: 'Failed tasks',
      value: `[b3a59b77 FAILED](${LOG_URL})`,
    })
    await sendNotification(destination, [order])
    expect(bodyJson(last(discord)).embeds[0].color).toBe(0x1a7f37)
  })

  it('keeps a digest of 40 within 25 fields and 6,000 characters (Discord would answer 400)', async () => {
    const destination = parseNotifyTarget(`discord+${discord.url}/api/webhooks/1/T`)
    const many = Array.from({ length: 40 }, (_, i) => ({
      ...order,
      orderId: `${i}-${'x'.repeat(300)}`,
    }))
    const outcome = await sendNotification(destination, many)
    expect(outcome).toMatchObject({ outcome: 'delivered', status: 204 })
    const [embed] = bodyJson(last(discord)).embeds
    expect(embed.title).toBe('40 orders FULFILLED')
    expect(embed.fields.length).toBeLessThanOrEqual(25)
    expect(embed.fields.at(-1).value).toMatch(/^… and \d+ more$/)
  })

  it('with ?wait=true gets 200 and the message JSON', async () => {
    const destination = parseNotifyTarget(`discord+${discord.url}/api/webhooks/1/T?wait=true`)
    const outcome = await sendNotification(destination, [order])
    expect(outcome).toMatchObject({
      outcome: 'delivered',
      status: 200,
      responseExcerpt: '{"id":"1"}',
    })
  })
})

describe('Teams (Workflows)', () => {
  let teams: RecordingServer
  beforeAll(async () => {
    teams = await serve({ fallback: teamsService() })
  })

  it('sends a message with one Adaptive Card attachment; the flow answers 202', async () => {
    const destination = parseNotifyTarget(
      `teams+${teams.url}/workflows/w/triggers/manual/paths/invoke?api-version=2016-06-01&sig=TEAMSSIG`
    )
    const outcome = await sendNotification(destination, [failedJob])
    expect(outcome).toMatchObject({ outcome: 'delivered', status: 202, responseExcerpt: null })
    const body = bodyJson(last(teams))
    expect(body.type).toBe('message')
    expect(body.attachments).toHaveLength(1)
    const { contentType, content: card } = body.attachments[0]
    expect(contentType).toBe('application/vnd.microsoft.card.adaptive')
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' })
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'Job 6dbe8956 FAILED',
      color: 'Attention',
    })
    expect(card.body[1].type).toBe('FactSet')
    expect(card.body[1].facts).toContainEqual({ title: 'Status', value: 'FAILED' })
    expect(card.body.at(-1).text).toBe(`- [b3a59b77 FAILED](${LOG_URL})`)
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open in the inspector', url: `${PUBLIC_URL}/?id=42` },
    ])
    expect(JSON.stringify(body)).not.toContain('MessageCard')
  })
})

describe('json', () => {
  let app: RecordingServer
  beforeAll(async () => {
    app = await serve({ fallback: { status: 200, body: '{"ok":true}' } })
  })

  it('sends the small summary', async () => {
    const outcome = await sendNotification(parseNotifyTarget(`json+${app.url}/hook`), [failedJob])
    expect(outcome.outcome).toBe('delivered')
    expect(bodyJson(last(app))).toEqual({
      title: 'Job 6dbe8956 FAILED',
      test: false,
      ...failedJob,
    })
  })

  it('sends a digest as { digest, title, count, notices }', async () => {
    await sendNotification(parseNotifyTarget(`json+${app.url}/hook`), [testJob, order])
    const body = bodyJson(last(app))
    expect(body).toMatchObject({
      digest: true,
      title: '1 test job PENDING, 1 order FULFILLED',
      count: 2,
    })
    expect(body.notices[0]).toMatchObject({ test: true, jobId: testJob.jobId })
  })

  it('sends user:pass@ as basic auth, never in the URL', async () => {
    const host = app.url.replace('http://', '')
    await sendNotification(parseNotifyTarget(`json+http://me:s3cret@${host}/hook`), [order])
    expect(last(app).headers.authorization).toBe(encodeBasicAuth('me', 's3cret'))
  })
})

describe.each(TRANSPORTS)('outcomes through the %s transport', (_, transport) => {
  const target = (server: RecordingServer) => parseNotifyTarget(`json+${server.url}/hook`)

  it('503 with Retry-After is a retry after that long; the next 2xx is delivered', async () => {
    const server = await serve({})
    server.script(
      { status: 503, headers: { 'retry-after': '7' }, body: 'busy' },
      { status: 503 },
      { status: 200 }
    )
    const first = await sendNotification(target(server), [order], { transport })
    expect(first).toMatchObject({
      outcome: 'retry',
      status: 503,
      retryAfterMs: 7000,
      error: 'HTTP 503 Service Unavailable',
      responseExcerpt: 'busy',
    })
    expect((await sendNotification(target(server), [order], { transport })).retryAfterMs).toBeNull()
    expect((await sendNotification(target(server), [order], { transport })).outcome).toBe(
      'delivered'
    )
  })

  it('429 with an HTTP-date Retry-After is a retry', async () => {
    const server = await serve({})
    const later = new Date(Date.now() + 3_600_000).toUTCString()
    server.script({ status: 429, headers: { 'retry-after': later } })
    const outcome = await sendNotification(target(server), [order], { transport })
    expect(outcome.outcome).toBe('retry')
    expect(outcome.retryAfterMs).toBeGreaterThan(3_000_000)
  })

  it('a redirect is failed, not followed', async () => {
    const server = await serve({})
    server.script({ status: 301, headers: { location: `${server.url}/elsewhere` } })
    const outcome = await sendNotification(target(server), [order], { transport })
    expect(outcome).toMatchObject({ outcome: 'failed', status: 301 })
    expect(server.requests.map((request) => request.path)).toEqual(['/hook'])
  })

  it('a refused connection is a retry with no status', async () => {
    const url = await closedPortUrl()
    const outcome = await sendNotification(parseNotifyTarget(`json+${url}/hook`), [order], {
      transport,
    })
    expect(outcome).toMatchObject({ outcome: 'retry', status: null, responseExcerpt: null })
    expect(outcome.error).toMatch(/^could not connect: ECONNREFUSED/)
  })

  it('a reset connection is a retry', async () => {
    const server = await serve({})
    server.script({ reset: true })
    expect((await sendNotification(target(server), [order], { transport })).outcome).toBe('retry')
  })

  it('no answer within timeoutMs is a retry', async () => {
    // A server that reads the request and never answers until the test lets it.
    let release = () => {}
    const silent = createServer((_request, response) => {
      release = () => response.end()
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as AddressInfo
    const outcome = await sendNotification(
      parseNotifyTarget(`json+http://127.0.0.1:${port}/hook`),
      [order],
      { timeoutMs: 100, transport }
    )
    release()
    silent.closeAllConnections()
    await new Promise((resolve) => silent.close(resolve))
    expect(outcome).toMatchObject({
      outcome: 'retry',
      status: null,
      error: 'no answer within 100 ms',
    })
  })

  it('an abort signal ends the attempt as a retry', async () => {
    const server = await serve({})
    const controller = new AbortController()
    controller.abort()
    const outcome = await sendNotification(target(server), [order], {
      signal: controller.signal,
      transport,
    })
    expect(outcome).toMatchObject({ outcome: 'retry', error: 'aborted' })
  })

  it('keeps the excerpt short and masks the destination secrets in it', async () => {
    const server = await serve({})
    const token = 'DISCORDSECRETTOKEN'
    server.script({
      status: 404,
      body: `{"message":"Unknown Webhook ${token}"}${'.'.repeat(5000)}`,
    })
    const destination = parseNotifyTarget(`discord+${server.url}/api/webhooks/1/${token}`)
    const outcome = await sendNotification(destination, [order], { transport })
    expect(outcome).toMatchObject({ outcome: 'failed', status: 404 })
    expect(outcome.responseExcerpt!.length).toBeLessThanOrEqual(512)
    expect(outcome.responseExcerpt).toContain('Unknown Webhook ***')
    expect(JSON.stringify(outcome)).not.toContain(token)
    expect(destination.display).toBe(`discord+${server.url}/api/webhooks/1/***`)
  })

  it('desktop: and cmd: are failed on the Web entry, pointing at ./node', async () => {
    const outcome = await sendNotification(parseNotifyTarget('desktop:'), [order], { transport })
    expect(outcome).toMatchObject({ outcome: 'failed', status: null })
    expect(outcome.error).toContain('@up42-webhooks/destinations/node')
  })

  it('throws TypeError for no notices', async () => {
    await expect(sendNotification(parseNotifyTarget('desktop:'), [])).rejects.toThrow(TypeError)
  })
})

describe.each(TRANSPORTS)('sendHttp through the %s transport', (_, transport) => {
  it('sends bytes unchanged, with the caller’s headers and Idempotency-Key (for --forward-to)', async () => {
    const server = await serve({})
    const bytes = new Uint8Array([0x7b, 0x22, 0xc3, 0xa4, 0x22, 0x7d, 0xff])
    const outcome = await sendHttp(
      {
        url: `${server.url}/app`,
        headers: { 'content-type': 'application/json', 'user-agent': 'UP42' },
        body: bytes,
      },
      [],
      { idempotencyKey: 'm:forward', transport }
    )
    expect(outcome.outcome).toBe('delivered')
    const request = last(server)
    expect([...request.body]).toEqual([...bytes])
    expect(request.headers).toMatchObject({ 'user-agent': 'UP42', 'idempotency-key': 'm:forward' })
  })
})
