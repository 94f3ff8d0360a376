import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startReceiverStub } from '../test/receiver-stub.ts'
import { FORGED_BODY, resplitTriggerEvent, SECRET } from '../test/signed-event.ts'
import { waitFor } from '../test/wait-for.ts'
import {
  createRelayServer,
  DEFAULT_RELAY_TIMEOUTS,
  type RelayServer,
} from './create-relay-server.ts'
import type { StepComponent } from './pipedream-runtime.ts'
import { signedDelivery } from './simulate.ts'
import relayStep from './steps/relay.ts'

const relayComponent = relayStep as unknown as StepComponent
const ENV = [
  'UP42_WEBHOOK_SECRET',
  'RECEIVER_URL',
  'RECEIVER_USER',
  'RECEIVER_PASSWORD',
  'FORWARD_BUDGET',
  'FORWARD_RERUN_SCHEDULE',
  'REQUIRE_BODY_DIGEST',
]

let receiver: Awaited<ReturnType<typeof startReceiverStub>>
let spoolDir: string
const servers: RelayServer[] = []

async function startRelay(options: Partial<Parameters<typeof createRelayServer>[0]> = {}) {
  const relay = createRelayServer({ component: relayComponent, ...options })
  servers.push(relay)
  return { relay, url: await relay.listen(0, '127.0.0.1') }
}

/** Writes `request` as is on a raw socket; resolves with everything read until the server closes. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = connect(Number(port), hostname, () => socket.write(request))
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('close', () => resolve(text))
    socket.on('error', reject)
  })
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const response = await request(`${url}/hook?x=1`, { method: 'POST', body, headers })
  return {
    status: response.statusCode,
    json: (await response.body.json()) as Record<string, unknown>,
  }
}

beforeAll(async () => {
  receiver = await startReceiverStub()
  Object.assign(process.env, {
    UP42_WEBHOOK_SECRET: SECRET,
    RECEIVER_URL: receiver.url,
    RECEIVER_USER: 'u',
    RECEIVER_PASSWORD: 'p',
    FORWARD_BUDGET: '300ms',
    FORWARD_RERUN_SCHEDULE: '100ms',
  })
  spoolDir = await mkdtemp(path.join(tmpdir(), 'relay-spool-'))
})

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
  receiver.requests.length = 0
  receiver.setPostStatus(200)
})

afterAll(async () => {
  for (const key of ENV) delete process.env[key]
  await receiver.close()
  await rm(spoolDir, { recursive: true, force: true })
})

describe('createRelayServer', () => {
  it('turns the request into a Pipedream trigger event and answers with the outcome', async () => {
    const seen: unknown[] = []
    const probe: StepComponent = {
      async run({ steps }) {
        seen.push((steps as { trigger: unknown }).trigger)
      },
    }
    const { url } = await startRelay({ component: probe })
    const { status, json } = await post(url, '{"a": 1}', {
      'content-type': 'application/json',
      'X-Custom': 'Yes',
    })
    expect(status).toBe(200)
    expect(json).toMatchObject({ outcome: 'completed', returnValue: null })
    const trigger = seen[0] as { event: Record<string, unknown>; context: Record<string, string> }
    expect(trigger.event).toMatchObject({
      method: 'POST',
      path: '/hook',
      query: { x: '1' },
      body: { a: 1 },
      bodyRaw: '{"a": 1}',
      client_ip: '127.0.0.1',
      url: `${new URL(url).host}/hook`,
    })
    expect((trigger.event.headers as Record<string, string>)['x-custom']).toBe('Yes')
    expect(trigger.context.trace_id).toBe(json.traceId)
  })

  it('leaves bodyRaw out when configured like the workflow trigger', async () => {
    let event: Record<string, unknown> = {}
    const probe: StepComponent = {
      async run({ steps }) {
        event = (steps as { trigger: { event: Record<string, unknown> } }).trigger.event
      },
    }
    const { url } = await startRelay({ component: probe, bodyRaw: false })
    await post(url, '{"a": 1}', { 'content-type': 'application/json' })
    expect(event).not.toHaveProperty('bodyRaw')
    expect(event.body).toEqual({ a: 1 })
  })

  it('sends what the step passed to $.respond', async () => {
    const responder: StepComponent = {
      async run({ $ }) {
        await $.respond({ status: 418, headers: { 'x-step': '1' }, body: { hello: 'teapot' } })
      },
    }
    const { url } = await startRelay({ component: responder })
    const response = await request(url, { method: 'POST', body: '' })
    expect(response.statusCode).toBe(418)
    expect(response.headers['x-step']).toBe('1')
    expect(await response.body.json()).toEqual({ hello: 'teapot' })
  })

  it('forwards a signed webhook through the relay step (200) and rejects a forged one (401)', async () => {
    const { url } = await startRelay()
    const delivery = await signedDelivery(EXAMPLE_EVENTS.jobLive, SECRET)
    const ok = await post(url, delivery.body, delivery.headers)
    expect(ok).toMatchObject({ status: 200, json: { outcome: 'forwarded', key: 1 } })
    expect(receiver.posts()[0]?.body.toString()).toBe(EXAMPLE_EVENTS.jobLive)
    const forged = await post(url, delivery.body.replace('FAILED', 'ERROR'), delivery.headers)
    expect(forged).toMatchObject({
      status: 401,
      json: { outcome: 'rejected', code: 'BODY_DIGEST_MISMATCH' },
    })
  })

  it('answers 401 to the re-split forgery of a two-hour-old delivery and forwards nothing (issue 9)', async () => {
    const { url } = await startRelay()
    const forged = await resplitTriggerEvent()
    const res = await post(url, FORGED_BODY, forged.headers as Record<string, string>)
    expect(res).toMatchObject({
      status: 401,
      json: { outcome: 'rejected', code: 'MALFORMED_HEADER' },
    })
    expect(receiver.requests).toHaveLength(0)
  })

  it('with REQUIRE_BODY_DIGEST=1 answers 401 to a signature that does not cover the body', async () => {
    const { url } = await startRelay()
    const headers = (await resplitTriggerEvent('x-anything')).headers as Record<string, string>
    process.env.REQUIRE_BODY_DIGEST = '1'
    try {
      const refused = await post(url, FORGED_BODY, headers)
      expect(refused).toMatchObject({
        status: 401,
        json: { outcome: 'rejected', code: 'BODY_NOT_SIGNED' },
      })
      expect(receiver.requests).toHaveLength(0)
    } finally {
      delete process.env.REQUIRE_BODY_DIGEST
    }
    // without it the same delivery is forwarded (UP42 may sign no digest)
    expect(await post(url, FORGED_BODY, headers)).toMatchObject({
      status: 200,
      json: { outcome: 'forwarded' },
    })
  })

  it('answers 202 when the receiver is down, re-runs on a timer and delivers once it is back', async () => {
    receiver.setPostStatus(503)
    const { relay, url } = await startRelay({ spoolDir })
    const delivery = await signedDelivery(EXAMPLE_EVENTS.orderLive, SECRET)
    const first = await post(url, delivery.body, delivery.headers)
    expect(first).toMatchObject({
      status: 202,
      json: { outcome: 'rerun-scheduled', code: 'RECEIVER_ERROR', run: 1 },
    })
    expect(relay.pendingReruns()).toBe(1)
    expect(await readdir(spoolDir)).toHaveLength(1)
    receiver.setPostStatus(200)
    await waitFor(
      () =>
        receiver
          .posts()
          .some(
            (p) => p.body.toString() === EXAMPLE_EVENTS.orderLive && relay.pendingReruns() === 0
          ),
      30_000,
      'delivery'
    )
    await waitFor(async () => (await readdir(spoolDir)).length === 0, 30_000, 'empty spool')
  })

  it('resumes a spooled re-run after a restart', async () => {
    receiver.setPostStatus(503)
    const first = await startRelay({ spoolDir })
    const delivery = await signedDelivery(EXAMPLE_EVENTS.jobLive, SECRET)
    expect((await post(first.url, delivery.body, delivery.headers)).status).toBe(202)
    await first.relay.close()
    expect(await readdir(spoolDir)).toHaveLength(1)
    receiver.setPostStatus(200)
    const posts = receiver.posts().length
    const second = await startRelay({ spoolDir })
    await waitFor(
      () => receiver.posts().length > posts && second.relay.pendingReruns() === 0,
      30_000,
      'resumed delivery'
    )
    expect(receiver.posts().at(-1)?.headers['idempotency-key']).toBe(
      JSON.parse(delivery.body).messageId
    )
    await waitFor(async () => (await readdir(spoolDir)).length === 0, 30_000, 'empty spool')
  })

  it('answers 400, not 500, to a Host header that is not a host', async () => {
    const seen: unknown[] = []
    const { url } = await startRelay({ component: { run: async () => seen.push(1) } })
    const reply = await rawExchange(
      url,
      'POST / HTTP/1.1\r\nHost: a b\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'
    )
    expect(reply).toMatch(/^HTTP\/1\.1 400 /)
    expect(reply).toContain('"code":"BAD_REQUEST"')
    expect(reply).not.toContain('a b')
    expect(seen).toHaveLength(0)
  })

  it('moves a corrupt spool file aside with a warning and still resumes the others', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'relay-spool-corrupt-'))
    try {
      receiver.setPostStatus(503)
      const first = await startRelay({ spoolDir: dir })
      const delivery = await signedDelivery(EXAMPLE_EVENTS.orderLive, SECRET)
      expect((await post(first.url, delivery.body, delivery.headers)).status).toBe(202)
      await first.relay.close()
      await writeFile(path.join(dir, 'truncated.json'), '{"event": {"headers": {')
      await writeFile(path.join(dir, 'wrong-shape.json'), '{"runs": "two"}')
      receiver.setPostStatus(200)
      const warnings: string[] = []
      const second = await startRelay({ spoolDir: dir, warn: (line) => warnings.push(line) })
      // The timer leaves pendingReruns() when it fires, before the delivery's spool file is
      // removed, so the observable end of the re-run is the spool holding only the moved files.
      const spooled = async () => (await readdir(dir)).sort().join(',')
      await waitFor(
        async () =>
          receiver.posts().some((p) => p.body.toString() === EXAMPLE_EVENTS.orderLive) &&
          (await spooled()) === 'truncated.json.corrupt,wrong-shape.json.corrupt',
        30_000,
        'the intact re-run to deliver and leave the spool'
      )
      expect((await readdir(dir)).sort()).toEqual([
        'truncated.json.corrupt',
        'wrong-shape.json.corrupt',
      ])
      expect(warnings).toHaveLength(2)
      expect(warnings.join('\n')).toMatch(
        /truncated\.json is not a re-run \(.*\); moved aside to truncated\.json\.corrupt/
      )
      expect(warnings.join('\n')).toMatch(
        /wrong-shape\.json is not a re-run \(no event with headers\)/
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('sets Node’s HTTP timeouts on purpose, and drops a client that never finishes its headers', async () => {
    const defaults = await startRelay()
    expect(defaults.relay.server.headersTimeout).toBe(DEFAULT_RELAY_TIMEOUTS.headersMs)
    expect(defaults.relay.server.requestTimeout).toBe(DEFAULT_RELAY_TIMEOUTS.requestMs)
    expect(defaults.relay.server.keepAliveTimeout).toBe(DEFAULT_RELAY_TIMEOUTS.keepAliveMs)
    expect(DEFAULT_RELAY_TIMEOUTS.headersMs).toBeLessThanOrEqual(10_000)

    const { url } = await startRelay({ timeouts: { headersMs: 200, requestMs: 400 } })
    // A slowloris client: a request line and one header, then nothing.
    const reply = await rawExchange(url, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    expect(reply).toMatch(/^HTTP\/1\.1 408 /)
    expect(receiver.requests).toHaveLength(0)
  })

  it('answers 413 for a body over the limit', async () => {
    const { url } = await startRelay({ maxBodyBytes: 10 })
    const response = await request(url, { method: 'POST', body: 'x'.repeat(100) }).catch(
      () => undefined
    )
    // The connection may be cut while the body is still being sent; either way nothing ran.
    if (response) expect(response.statusCode).toBe(413)
    expect(receiver.requests).toHaveLength(0)
  })
})
