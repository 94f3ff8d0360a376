import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { EXAMPLE_EVENTS, signWebhook, verifyWebhook } from '@up42-webhooks/shared'
import { runTsx, startTsx, type RunningProgram } from '@up42-webhooks/test-support'
import { request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildSteps } from '../scripts/build-steps.ts'
import { startNotifyTarget } from './notify-target.ts'
import { waitFor } from './wait-for.ts'

// simulate → relay (the built relay.mjs in relay-main) → receiver, all real processes.

const SECRET = 'e2e-signing-secret'
const USER = 'relay'
const PASSWORD = 'e2e-receiver-password'
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`
const PACKAGE_DIR = path.resolve(import.meta.dirname, '..')
const REPO_DIR = path.resolve(PACKAGE_DIR, '..', '..')
const RECEIVER_MAIN = path.join(REPO_DIR, 'packages/receiver/src/main.ts')
const RELAY_MAIN = path.join(PACKAGE_DIR, 'src/relay-main.ts')
const SIMULATE_MAIN = path.join(PACKAGE_DIR, 'src/simulate-main.ts')

interface StoredWebhook {
  id: number
  body: string
  headers: Record<string, string>
  verdict: string
  messageId: string | null
  deliveryCount: number
  idempotencyKey: string | null
}

let workdir: string
let bundle: string
const children: RunningProgram[] = []

async function startReceiver(name: string, port = 0) {
  const started = await startTsx(RECEIVER_MAIN, [], {
    cwd: REPO_DIR,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      RECEIVER_DB: path.join(workdir, `${name}.db`),
      RECEIVER_USER: USER,
      RECEIVER_PASSWORD: PASSWORD,
      UP42_WEBHOOK_SECRET: SECRET,
      RECEIVER_QUIET: '1',
    },
  })
  children.push(started)
  return started
}

async function startRelay(receiverUrl: string, spool: string, env: Record<string, string> = {}) {
  const started = await startTsx(RELAY_MAIN, [], {
    cwd: REPO_DIR,
    env: {
      RELAY_PORT: '0',
      RELAY_BUNDLE: bundle,
      RELAY_SPOOL_DIR: path.join(workdir, spool),
      UP42_WEBHOOK_SECRET: SECRET,
      RECEIVER_URL: receiverUrl,
      RECEIVER_USER: USER,
      RECEIVER_PASSWORD: PASSWORD,
      FORWARD_BUDGET: '2s',
      FORWARD_RERUN_SCHEDULE: '1s',
      ...env,
    },
  })
  children.push(started)
  return started
}

/**
 * The relay deletes a re-run's spool file once the re-run is done: an empty spool is the relay's
 * own observable "nothing pending" (its log line may arrive after the receiver has the webhook).
 */
function waitForEmptySpool(spool: string) {
  return waitFor(
    async () => {
      const names = await readdir(path.join(workdir, spool)).catch(() => [] as string[])
      return names.every((name) => !name.endsWith('.json'))
    },
    60_000,
    `the relay to finish the re-run in ${spool}`
  )
}

async function getJson<T>(url: string): Promise<{ status: number; json: T }> {
  const response = await request(url, { headers: { authorization: AUTH } })
  return { status: response.statusCode, json: (await response.body.json()) as T }
}

async function storedByMessageId(receiverUrl: string, messageId: string): Promise<StoredWebhook[]> {
  const { json } = await getJson<{ items: Array<{ id: number; messageId: string | null }> }>(
    `${receiverUrl}/api/webhooks?limit=100`
  )
  const ids = json.items.filter((item) => item.messageId === messageId).map((item) => item.id)
  return Promise.all(
    ids.map(async (id) => (await getJson<StoredWebhook>(`${receiverUrl}/api/webhooks/${id}`)).json)
  )
}

/** Polls until the receiver holds the webhook (a re-run delivers it some time after the 202). */
function waitForStored(receiverUrl: string, messageId: string, what: string) {
  return waitFor(
    async () => {
      const found = await storedByMessageId(receiverUrl, messageId)
      return found.length > 0 ? found : undefined
    },
    60_000,
    what
  )
}

async function postSigned(relayUrl: string, body: string) {
  const headers = await signWebhook({ body, secret: SECRET })
  const response = await request(`${relayUrl}/`, {
    method: 'POST',
    body,
    headers: { ...headers, 'content-type': 'application/json' },
  })
  return {
    status: response.statusCode,
    json: (await response.body.json()) as Record<string, unknown>,
  }
}

beforeAll(async () => {
  workdir = await mkdtemp(path.join(tmpdir(), 'forwarder-e2e-'))
  const built = await buildSteps({ outdir: path.join(workdir, 'steps') })
  bundle = built.find((b) => b.step === 'relay')?.file ?? ''
}, 60_000)

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop()))
})

afterAll(async () => {
  if (workdir) await rm(workdir, { recursive: true, force: true })
})

describe('simulate → relay → receiver', () => {
  it('stores exactly what was signed, and the receiver verifies it', async () => {
    const receiver = await startReceiver('chain')
    const relay = await startRelay(receiver.url, 'spool-chain')

    const simulated = await runTsx(
      SIMULATE_MAIN,
      [
        '--',
        '--url',
        `${relay.url}/`,
        '--secret',
        SECRET,
        '--event',
        'order.status',
        '--live',
        '--count',
        '2',
      ],
      { cwd: PACKAGE_DIR }
    )
    expect(simulated.stderr).toBe('')
    expect(simulated.code).toBe(0)
    const lines = simulated.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    for (const line of lines) {
      const messageId = /messageId=(\S+)/.exec(line)?.[1] ?? ''
      expect(line).toMatch(/^\d\/2 200 .*"outcome":"forwarded"/)
      const [stored, ...more] = await storedByMessageId(receiver.url, messageId)
      expect(more).toHaveLength(0)
      expect(stored?.verdict).toBe('verified')
      expect(stored?.idempotencyKey).toBe(messageId)
      // The digest in the signed headers is over the bytes simulate sent: re-verifying the stored
      // body with the stored headers proves they arrived unchanged.
      await expect(
        verifyWebhook(
          { headers: stored?.headers ?? {}, body: stored?.body ?? '' },
          { secret: SECRET }
        )
      ).resolves.toMatchObject({
        bodyCovered: true,
      })
    }

    // Bytes JSON.stringify would not reproduce (indentation) survive the whole chain.
    const pretty = JSON.stringify(
      { ...JSON.parse(EXAMPLE_EVENTS.jobLive), messageId: 'e2e-pretty' },
      null,
      2
    )
    expect(await postSigned(relay.url, pretty)).toMatchObject({
      status: 200,
      json: { outcome: 'forwarded' },
    })
    const [stored] = await storedByMessageId(receiver.url, 'e2e-pretty')
    expect(stored?.body).toBe(pretty)
    expect(stored?.verdict).toBe('verified')

    // A forged delivery stops at the relay.
    const forged = await request(`${relay.url}/`, {
      method: 'POST',
      body: pretty,
      headers: {
        ...(await signWebhook({ body: pretty, secret: 'not-the-secret' })),
        'content-type': 'application/json',
      },
    })
    expect(forged.statusCode).toBe(401)
    await forged.body.dump()
  }, 90_000)

  it('keeps a webhook while the receiver is down and delivers it once when it is back', async () => {
    const first = await startReceiver('down')
    const port = Number(new URL(first.url).port)
    await first.stop()
    const relay = await startRelay(first.url, 'spool-down')

    const body = JSON.stringify({
      ...JSON.parse(EXAMPLE_EVENTS.orderLive),
      messageId: 'e2e-while-down',
    })
    const accepted = await postSigned(relay.url, body)
    expect(accepted).toMatchObject({
      status: 202,
      json: { outcome: 'rerun-scheduled', code: 'RECEIVER_UNREACHABLE' },
    })

    const back = await startReceiver('down', port)
    const stored = await waitForStored(back.url, 'e2e-while-down', 'the re-run to deliver')
    await waitForEmptySpool('spool-down')
    expect(await storedByMessageId(back.url, 'e2e-while-down')).toEqual(stored)
    expect(stored).toHaveLength(1)
    expect(stored?.[0]?.body).toBe(body)
    expect(stored?.[0]?.deliveryCount).toBe(1)
  }, 120_000)

  it('re-runs a webhook the receiver refused (wrong password) and delivers it once, after the password is corrected', async () => {
    const receiver = await startReceiver('wrong-password')
    const misconfigured = await startRelay(receiver.url, 'spool-password', {
      RECEIVER_PASSWORD: 'not-the-receiver-password',
    })
    const body = JSON.stringify({
      ...JSON.parse(EXAMPLE_EVENTS.orderLive),
      messageId: 'e2e-wrong-password',
    })
    const accepted = await postSigned(misconfigured.url, body)
    expect(accepted).toMatchObject({
      status: 202,
      json: { outcome: 'rerun-scheduled', code: 'RECEIVER_AUTH_FAILED', status: 401 },
    })
    expect(String(accepted.json.reason)).toContain('check RECEIVER_USER and RECEIVER_PASSWORD')
    expect(JSON.stringify(accepted.json)).not.toContain('not-the-receiver-password')
    expect(await storedByMessageId(receiver.url, 'e2e-wrong-password')).toHaveLength(0)

    // What a user does: stop `pnpm relay`, correct RECEIVER_PASSWORD, start it again. The
    // restarted relay resumes the spooled re-run, and the step reads the corrected variable.
    await misconfigured.stop()
    await startRelay(receiver.url, 'spool-password')
    const stored = await waitForStored(receiver.url, 'e2e-wrong-password', 'the corrected re-run')
    await waitForEmptySpool('spool-password')
    expect(stored).toHaveLength(1)
    expect(stored?.[0]?.body).toBe(body)
    expect(stored?.[0]?.deliveryCount).toBe(1)
    expect(stored?.[0]?.verdict).toBe('verified')
  }, 120_000)

  it('survives a SIGKILLed relay: the spooled re-run is delivered after the restart', async () => {
    const first = await startReceiver('relay-crash')
    const port = Number(new URL(first.url).port)
    await first.stop()
    const crashing = await startRelay(first.url, 'spool-crash')
    const body = JSON.stringify({
      ...JSON.parse(EXAMPLE_EVENTS.jobLive),
      messageId: 'e2e-relay-crash',
    })
    expect((await postSigned(crashing.url, body)).status).toBe(202)
    await crashing.stop()

    const back = await startReceiver('relay-crash', port)
    await startRelay(back.url, 'spool-crash')
    const stored = await waitForStored(back.url, 'e2e-relay-crash', 'the resumed re-run to deliver')
    expect(stored).toHaveLength(1)
    expect(stored?.[0]?.body).toBe(body)
    expect(stored?.[0]?.verdict).toBe('verified')
  }, 120_000)

  it('notifies NOTIFY once per webhook: the relay sends it, the relay step it runs does not (issue 12)', async () => {
    const target = await startNotifyTarget()
    try {
      const receiver = await startReceiver('notify')
      const relay = await startRelay(receiver.url, 'spool-notify', {
        NOTIFY: `json+${target.url}/app`,
      })
      const body = JSON.stringify({
        ...JSON.parse(EXAMPLE_EVENTS.jobLive),
        messageId: 'e2e-notify-once',
      })
      expect(await postSigned(relay.url, body)).toMatchObject({
        status: 200,
        json: { outcome: 'forwarded' },
      })
      // SIGTERM: the relay waits for the notifications under way, then exits; nothing is left
      // that could still send one.
      relay.child.kill('SIGTERM')
      expect(await relay.exited).toEqual({ code: 0, signal: null })
      expect(target.requests.map((r) => [r.path, r.headers['idempotency-key']])).toEqual([
        ['/app', 'e2e-notify-once:json'],
      ])
      expect(JSON.parse(target.requests[0]!.body)).toMatchObject({ messageId: 'e2e-notify-once' })
      expect(relay.stdout()).toMatch(/notify json\+http:\/\/127\.0\.0\.1:\d+\/app: delivered/)
      expect(await storedByMessageId(receiver.url, 'e2e-notify-once')).toHaveLength(1)
    } finally {
      await target.close()
    }
  }, 90_000)
})
