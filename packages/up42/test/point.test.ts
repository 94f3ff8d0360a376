import { encodeBasicAuth } from '@up42-webhooks/common'
import {
  createTempDir,
  runProgram,
  serveFetch,
  type RunningProgram,
  type ServedFetch,
  type TempDir,
} from '@up42-webhooks/test-support'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeUp42, type FakeUp42 } from './fake-up42.ts'
import { INHERITED_SETTINGS, PACKAGE_DIR, REPO_ROOT, startReceiver } from './processes.ts'

// `point` end to end: the CLI in its own process re-points the webhook on the fake UP42, whose
// tests endpoint sends test events signed with signWebhook through the "tunnel" to the real
// receiver process; the CLI then prints what that receiver stored.
const SECRET = 'e2e-webhook-secret-4f9c2a'
const AUTH = { user: 'relay', password: 'e2e-receiver-pass' }
const NEW_TUNNEL = 'https://7c1e-203-0-113-9.ngrok-free.app'

let dir: TempDir
let receiver: RunningProgram
let fake: FakeUp42
let up42: ServedFetch

beforeAll(async () => {
  dir = await createTempDir('up42-point-')
  receiver = await startReceiver({
    RECEIVER_DB: dir.file('webhooks.db'),
    RECEIVER_USER: AUTH.user,
    RECEIVER_PASSWORD: AUTH.password,
    UP42_WEBHOOK_SECRET: SECRET,
  })
  fake = createFakeUp42({
    // Like UP42: the reply comes first and the deliveries follow, so the CLI has to poll.
    deliverTests: 'after-reply',
    // Test-only: UP42 delivers to https, so the tunnel's host is mapped to the local receiver.
    mapDeliveryUrl: (url) => {
      const target = new URL(url)
      if (target.origin !== NEW_TUNNEL) return url
      const local = new URL(target.pathname, receiver.url)
      local.username = target.username
      local.password = target.password
      return local.href
    },
  })
  up42 = await serveFetch(fake.app.fetch)
}, 60_000)

afterAll(async () => {
  await fake?.settled()
  await up42?.close()
  await receiver?.stop()
  await dir?.remove()
})

describe('up42 point (end to end)', () => {
  it(
    're-points the webhook and prints the verified test events the receiver got',
    { timeout: 90_000 },
    async () => {
      const webhook = fake.seedWebhook({
        name: 'ngrok relay',
        url: 'https://expired-tunnel.ngrok-free.app/receive-webhooks',
        events: ['job.status', 'order.status'],
        secret: SECRET,
        active: true,
      })
      const newUrl = `https://${AUTH.user}:${AUTH.password}@${new URL(NEW_TUNNEL).host}/receive-webhooks`
      const result = await runProgram(
        process.execPath,
        [
          join(PACKAGE_DIR, 'bin/up42.mjs'),
          'point',
          webhook.id,
          '--url',
          newUrl,
          '--receiver',
          receiver.url,
          '--wait',
          '60',
        ],
        {
          cwd: REPO_ROOT,
          dropEnv: INHERITED_SETTINGS,
          env: {
            UP42_USERNAME: fake.username,
            UP42_PASSWORD: fake.password,
            UP42_API_URL: up42.url,
            UP42_AUTH_URL: up42.url,
            RECEIVER_USER: AUTH.user,
            RECEIVER_PASSWORD: AUTH.password,
          },
        }
      )
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(fake.webhooks.get(webhook.id)?.url).toBe(newUrl)
      expect(result.stdout).toContain('UP42 is sending 2 test event(s) (job.status, order.status).')
      expect(result.stdout).toContain('The local receiver got 2 of 2 test event(s):')
      expect(result.stdout).toMatch(/^\d+\s+\S+Z\s+job\.status\s+false\s+PENDING\s+verified$/m)
      expect(result.stdout).toMatch(/^\d+\s+\S+Z\s+order\.status\s+false\s+FULFILLED\s+verified$/m)
      expect(result.stdout).not.toContain(AUTH.password)
      expect(result.stdout).not.toContain(SECRET)

      // What the CLI printed is what the receiver stored: signed headers and the fake's bodies.
      const stored = await fetch(`${receiver.url}/api/webhooks`, {
        headers: { authorization: encodeBasicAuth(AUTH.user, AUTH.password) },
      })
      const { items } = (await stored.json()) as { items: { id: number; verdict: string }[] }
      expect(items.map((item) => item.verdict)).toEqual(['verified', 'verified'])
      for (const item of items) expect(result.stdout).toMatch(new RegExp(`^${item.id}\\s`, 'm'))
      expect(fake.deliveries.map((d) => d.status)).toEqual([200, 200])
    }
  )
})
