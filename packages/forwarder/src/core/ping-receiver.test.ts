import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeClock } from '../../test/fake-clock.ts'
import type { ForwardConfig } from './config.ts'
import { pingReceiver } from './ping-receiver.ts'

const ORIGIN = 'https://tunnel.example'
const config: ForwardConfig = {
  receiverUrl: `${ORIGIN}/base`,
  username: 'relay',
  password: 'pw',
  budgetMs: 20_000,
  pingTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
}

let agent: MockAgent
let clock: ReturnType<typeof createFakeClock>

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  clock = createFakeClock()
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

const run = () =>
  pingReceiver(
    config,
    { deadline: clock.now() + config.budgetMs },
    {
      dispatcher: agent,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0,
    }
  )

describe('pingReceiver', () => {
  it('sends GET /ping under the base path with basic auth and the ngrok bypass header', async () => {
    let headers: Record<string, string> = {}
    agent
      .get(ORIGIN)
      .intercept({ path: '/base/ping', method: 'GET' })
      .reply((opts) => {
        headers = opts.headers as Record<string, string>
        return { statusCode: 200, data: 'PONG' }
      })
    await expect(run()).resolves.toEqual({ attempts: 1 })
    expect(headers.authorization).toBe(`Basic ${Buffer.from('relay:pw').toString('base64')}`)
    expect(headers['ngrok-skip-browser-warning']).toBe('1')
  })

  it('retries a 502 from the tunnel, then accepts PONG', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/base/ping', method: 'GET' }).reply(502, 'ERR_NGROK_8012')
    pool.intercept({ path: '/base/ping', method: 'GET' }).reply(200, 'PONG')
    await expect(run()).resolves.toEqual({ attempts: 2 })
    expect(clock.sleeps).toHaveLength(1)
  })

  it('fails with PING_FAILED naming the ngrok error when the tunnel is offline', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/base/ping', method: 'GET' })
      .reply(404, '<html>Tunnel tunnel.example not found ERR_NGROK_3200</html>')
    const error = await run().catch((e: unknown) => e)
    expect(error).toMatchObject({
      name: 'ForwardError',
      code: 'PING_FAILED',
      status: 404,
      attempts: 1,
    })
    expect((error as Error).message).toContain('ERR_NGROK_3200')
  })

  it('fails with PING_FAILED when a 200 page is not PONG (e.g. the ngrok browser warning)', async () => {
    agent.get(ORIGIN).intercept({ path: '/base/ping', method: 'GET' }).reply(200, '<!DOCTYPE html>')
    await expect(run()).rejects.toMatchObject({ code: 'PING_FAILED', status: 200 })
  })

  it.each([401, 403])(
    'fails with RECEIVER_AUTH_FAILED on a %i, without retrying',
    async (status) => {
      agent.get(ORIGIN).intercept({ path: '/base/ping', method: 'GET' }).reply(status, 'no')
      const error = await run().catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'RECEIVER_AUTH_FAILED', status, attempts: 1 })
      expect((error as Error).message).toContain('check RECEIVER_USER and RECEIVER_PASSWORD')
    }
  )

  it('fails with RECEIVER_UNREACHABLE when nothing listens', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/base/ping', method: 'GET' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      .persist()
    await expect(run()).rejects.toMatchObject({ code: 'RECEIVER_UNREACHABLE' })
  })
})
