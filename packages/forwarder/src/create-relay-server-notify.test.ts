import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseNotifyList, sendNotification } from '@up42-webhooks/destinations/node'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiverStub } from '../test/receiver-stub.ts'
import { SECRET } from '../test/signed-event.ts'
import { createRelayServer } from './create-relay-server.ts'
import type { StepComponent } from './pipedream-runtime.ts'
import { signedDelivery } from './simulate.ts'
import relayStep from './steps/relay.ts'

const ENV = [
  'UP42_WEBHOOK_SECRET',
  'RECEIVER_URL',
  'RECEIVER_USER',
  'RECEIVER_PASSWORD',
  'NOTIFY_OUT',
]
const saved = Object.fromEntries(ENV.map((key) => [key, process.env[key]]))

let receiver: Awaited<ReturnType<typeof startReceiverStub>>
let dir: string
beforeAll(async () => {
  receiver = await startReceiverStub()
  dir = await mkdtemp(path.join(tmpdir(), 'relay-notify-'))
  Object.assign(process.env, {
    UP42_WEBHOOK_SECRET: SECRET,
    RECEIVER_URL: receiver.url,
    RECEIVER_USER: 'u',
    RECEIVER_PASSWORD: 'p',
    NOTIFY_OUT: path.join(dir, 'notice.json'),
  })
})
afterAll(async () => {
  for (const key of ENV) {
    if (saved[key] === undefined) delete process.env[key]
    else process.env[key] = saved[key]
  }
  await receiver.close()
  await rm(dir, { recursive: true, force: true })
})

describe('local relay with NOTIFY', () => {
  it('runs a cmd: destination itself (Node sender) after the step found the webhook valid', async () => {
    const lines: string[] = []
    const relay = createRelayServer({
      component: relayStep as unknown as StepComponent,
      log: (line) => lines.push(line),
      notify: {
        config: {
          destinations: parseNotifyList('cmd:cat > "$NOTIFY_OUT"', {
            variable: 'NOTIFY',
            allowLocal: true,
          }),
          timeoutMs: 5000,
        },
        send: sendNotification,
      },
    })
    const url = await relay.listen(0, '127.0.0.1')
    try {
      const delivery = await signedDelivery(EXAMPLE_EVENTS.jobLive, SECRET)
      const response = await request(`${url}/`, {
        method: 'POST',
        body: delivery.body,
        headers: delivery.headers,
      })
      await response.body.dump()
      expect(response.statusCode).toBe(200)
      await relay.notificationsSettled()
      const notice = JSON.parse(await readFile(process.env.NOTIFY_OUT!, 'utf8'))
      expect(notice).toMatchObject({
        event: 'job.status',
        status: 'FAILED',
        messageId: '258270de-58f8-42da-aea6-e7a07d2667f7',
        test: false,
      })
      expect(lines).toContain('notify cmd:cat …: delivered')

      // A forged body is rejected by the step: nobody is told.
      await rm(process.env.NOTIFY_OUT!)
      const forged = await request(`${url}/`, {
        method: 'POST',
        body: delivery.body.replace('FAILED', 'ERROR'),
        headers: delivery.headers,
      })
      await forged.body.dump()
      expect(forged.statusCode).toBe(401)
      await relay.notificationsSettled()
      await expect(readFile(process.env.NOTIFY_OUT!, 'utf8')).rejects.toThrow(/ENOENT/)
    } finally {
      await relay.close()
    }
  })

  it('answers the sender before a slow destination is done, and close() waits for it', async () => {
    // The command finishes only once the test has seen the reply: if the relay waited for it
    // before answering, the request would never be answered.
    const go = path.join(dir, 'go')
    const relay = createRelayServer({
      component: relayStep as unknown as StepComponent,
      notify: {
        config: {
          destinations: parseNotifyList(
            `cmd:while [ ! -f "${go}" ]; do sleep 0.05; done; cat > "$NOTIFY_OUT"`,
            { variable: 'NOTIFY', allowLocal: true }
          ),
          timeoutMs: 20_000,
        },
        send: sendNotification,
      },
    })
    const url = await relay.listen(0, '127.0.0.1')
    const delivery = await signedDelivery(EXAMPLE_EVENTS.orderLive, SECRET)
    const response = await request(`${url}/`, {
      method: 'POST',
      body: delivery.body,
      headers: delivery.headers,
    })
    await response.body.dump()
    expect(response.statusCode).toBe(200)
    await writeFile(go, '')
    await relay.close()
    expect(JSON.parse(await readFile(process.env.NOTIFY_OUT!, 'utf8'))).toMatchObject({
      event: 'order.status',
      status: 'FULFILLED',
    })
  })
})
