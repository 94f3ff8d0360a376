import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { closedPortUrl, runTsx } from '@up42-webhooks/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildSteps,
  checkBundle,
  importedSpecifiers,
  SIZE_BUDGET_BYTES,
  type BuiltStep,
} from '../scripts/build-steps.ts'
import { startNotifyTarget } from './notify-target.ts'
import { startReceiverStub } from './receiver-stub.ts'
import { resplitTriggerEvent, SECRET, signedTriggerEvent } from './signed-event.ts'

interface RunnerResult {
  exports: Record<string, unknown>
  returnValue: unknown
  exitReason: string | null
  rerun: unknown
  error: unknown
}

let outdir: string
let built: BuiltStep[]
let receiver: Awaited<ReturnType<typeof startReceiverStub>>
const PACKAGE_DIR = path.resolve(import.meta.dirname, '..')
const bundle = (step: string) => path.join(outdir, `${step}.mjs`)
const read = (step: string) => readFile(bundle(step), 'utf8')

beforeAll(async () => {
  // A fresh build into a temp dir: the test never depends on a stale dist/.
  outdir = await mkdtemp(path.join(tmpdir(), 'forwarder-bundles-'))
  built = await buildSteps({ outdir })
  receiver = await startReceiverStub()
}, 60_000)

afterAll(async () => {
  await receiver?.close()
  if (outdir) await rm(outdir, { recursive: true, force: true })
})

describe('buildSteps', () => {
  it('writes one paste-ready ESM file per step within the size budget', async () => {
    expect(built.map((b) => b.step)).toEqual(['validate', 'forward', 'relay'])
    for (const { step, bytes } of built) {
      const code = await read(step)
      expect(code.startsWith(`// @up42-webhooks/forwarder v0.1.0 (`)).toBe(true)
      expect(code.split('export default defineComponent({').length - 1).toBe(1)
      expect(code).not.toMatch(/\brequire\(/)
      expect(bytes).toBeLessThanOrEqual(SIZE_BUDGET_BYTES)
    }
  })

  it('imports undici only as "undici@7", @pipedream/platform only as "@pipedream/platform@3", and shared crypto from node:crypto, besides Node built-ins', async () => {
    // shared's `node` import condition: Pipedream runs Node, so its steps take node:crypto.
    const crypto = ['node:buffer', 'node:crypto']
    const platform = '@pipedream/platform@3'
    expect(importedSpecifiers(await read('validate'))).toEqual([...crypto, platform])
    expect(importedSpecifiers(await read('forward'))).toEqual(['node:events', 'undici@7', platform])
    expect(importedSpecifiers(await read('relay'))).toEqual([
      ...crypto,
      'node:events',
      'undici@7',
      platform,
    ])
    for (const { step } of built) expect(await read(step)).not.toContain('crypto.subtle')
  })
})

describe('checkBundle', () => {
  const ok =
    'import { request } from "undici@7";\nimport x from "node:crypto";\nexport default defineComponent({\n});\n'
  it('accepts built-ins and pinned packages', () =>
    expect(() => checkBundle('t', ok)).not.toThrow())
  it.each([
    ['an unpinned package', ok.replace('undici@7', 'undici'), /imports "undici"/],
    ['another npm package', `import h from "hono";\n${ok}`, /imports "hono"/],
    ['require(', `${ok}const a = require("fs");\n`, /require\(/],
    [
      'no literal default export',
      ok.replace('export default defineComponent({', 'export default ({'),
      /expected one/,
    ],
    ['a second export', `${ok}export { ok };\n`, /besides the default/],
    ['a bundle over budget', `${ok}//${'x'.repeat(SIZE_BUDGET_BYTES)}\n`, /budget/],
  ])('rejects %s', (_label, code, message) => expect(() => checkBundle('t', code)).toThrow(message))
})

describe('built bundles, loaded by Node with undici@7 mapped to the installed undici', () => {
  it('validate, forward and relay behave like their sources', async () => {
    const env = {
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
      UP42_WEBHOOK_SECRET: SECRET,
    }
    const valid = await signedTriggerEvent({ body: EXAMPLE_EVENTS.orderLive })
    const forged = await signedTriggerEvent({ secret: 'forged' })
    const down = { ...env, RECEIVER_URL: await closedPortUrl(), FORWARD_BUDGET: '300ms' }
    const firstRunAt = Math.floor(Date.now() / 1000)
    const scenarios = [
      { bundle: bundle('validate'), env, event: valid },
      { bundle: bundle('validate'), env, event: forged },
      { bundle: bundle('forward'), env, event: valid, triggerContext: { trace_id: 't-1' } },
      { bundle: bundle('relay'), env, event: valid },
      { bundle: bundle('relay'), env: down, event: valid, runs: 2, rerunContext: { firstRunAt } },
      { bundle: bundle('validate'), env: {}, event: valid },
    ]
    const { code, stdout, stderr } = await runTsx('test/bundle-runner.ts', [], {
      cwd: PACKAGE_DIR,
      input: JSON.stringify(scenarios),
    })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const [validated, rejected, forwarded, relayed, rerun, unconfigured] = JSON.parse(
      stdout
    ) as RunnerResult[]

    expect(validated?.exports.verdict).toMatchObject({
      event: 'order.status',
      status: 'FULFILLED',
      bodyCovered: true,
    })
    expect(rejected?.exitReason).toBe('signature rejected: SIGNATURE_MISMATCH (signature)')
    expect(forwarded?.returnValue).toMatchObject({ outcome: 'forwarded', key: 1 })
    expect(relayed?.exports.outcome).toMatchObject({ outcome: 'forwarded', key: 2 })
    expect(rerun?.rerun).toEqual({ delayMs: 60_000, context: { firstRunAt }, maxRetries: 26 })
    // The pinned @pipedream/platform loads: a missing secret is Pipedream's ConfigurationError.
    expect(unconfigured?.error).toMatchObject({
      name: 'ConfigurationError',
      variable: 'UP42_WEBHOOK_SECRET',
      instanceOfPlatform: true,
    })
    expect(receiver.posts().map((p) => p.body.toString('utf8'))).toEqual([
      EXAMPLE_EVENTS.orderLive,
      EXAMPLE_EVENTS.orderLive,
    ])
  }, 60_000)

  it('validate and relay refuse the re-split forgery, and REQUIRE_BODY_DIGEST a headers-only signature (issue 9)', async () => {
    const env = {
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
      UP42_WEBHOOK_SECRET: SECRET,
    }
    const forged = await resplitTriggerEvent()
    const headersOnly = await resplitTriggerEvent('x-anything')
    const strict = { ...env, REQUIRE_BODY_DIGEST: '1' }
    const scenarios = [
      { bundle: bundle('validate'), env, event: forged },
      { bundle: bundle('relay'), env, event: forged },
      { bundle: bundle('validate'), env: strict, event: headersOnly },
      { bundle: bundle('relay'), env, event: headersOnly, props: { requireBodyDigest: true } },
    ]
    const before = receiver.posts().length
    const { code, stdout, stderr } = await runTsx('test/bundle-runner.ts', [], {
      cwd: PACKAGE_DIR,
      input: JSON.stringify(scenarios),
    })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect((JSON.parse(stdout) as RunnerResult[]).map((r) => r.exitReason)).toEqual([
      'signature rejected: MALFORMED_HEADER (date)',
      'signature rejected: MALFORMED_HEADER (date)',
      'signature rejected: BODY_NOT_SIGNED (signature-input)',
      'signature rejected: BODY_NOT_SIGNED (signature-input)',
    ])
    expect(receiver.posts()).toHaveLength(before)
  }, 60_000)

  it('validate and relay notify NOTIFY from the bundle, once per webhook, and refuse desktop: (issue 12)', async () => {
    const target = await startNotifyTarget()
    const env = {
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
      UP42_WEBHOOK_SECRET: SECRET,
    }
    const job = await signedTriggerEvent()
    const order = await signedTriggerEvent({ body: EXAMPLE_EVENTS.orderLive })
    const slack = { ...env, NOTIFY: `slack+${target.url}/services/T/B/SLACKTOKEN` }
    const down = { ...slack, RECEIVER_URL: await closedPortUrl(), FORWARD_BUDGET: '300ms' }
    const firstRunAt = Math.floor(Date.now() / 1000)
    const scenarios = [
      { bundle: bundle('validate'), env: { ...env, NOTIFY: `json+${target.url}/app` }, event: job },
      { bundle: bundle('relay'), env: slack, event: order },
      // A re-run of a webhook whose destinations were told on the first run.
      { bundle: bundle('relay'), env: down, event: order, runs: 2, rerunContext: { firstRunAt } },
      { bundle: bundle('relay'), env: { ...env, NOTIFY: 'desktop:' }, event: order },
    ]
    const before = receiver.posts().length
    try {
      const { code, stdout, stderr } = await runTsx('test/bundle-runner.ts', [], {
        cwd: PACKAGE_DIR,
        input: JSON.stringify(scenarios),
      })
      expect(stderr).toBe('')
      expect(code).toBe(0)
      const [validated, relayed, rerun, desktop] = JSON.parse(stdout) as RunnerResult[]

      expect(validated?.exports.notifications).toEqual([
        expect.objectContaining({ destination: `json+${target.url}/app`, outcome: 'delivered' }),
      ])
      expect(relayed?.exports.outcome).toMatchObject({ outcome: 'forwarded' })
      expect(relayed?.exports.notifications).toEqual([
        expect.objectContaining({
          destination: `slack+${target.url}/services/T/B/***`,
          outcome: 'delivered',
          status: 200,
        }),
      ])
      expect(rerun?.exports.outcome).toMatchObject({ outcome: 'rerun-scheduled' })
      expect(rerun?.exports.notifications).toBeUndefined()
      expect(desktop?.error).toMatchObject({
        name: 'ConfigurationError',
        variable: 'NOTIFY',
        instanceOfPlatform: true,
      })
      expect(desktop?.error).toMatchObject({
        message: expect.stringContaining('accepted by the local relay and the receiver'),
      })

      expect(
        target.requests.map((r) => [
          r.path,
          r.headers['idempotency-key'],
          r.headers['content-type'],
        ])
      ).toEqual([
        [
          '/app',
          '258270de-58f8-42da-aea6-e7a07d2667f7:json',
          expect.stringMatching(/^application\/json/),
        ],
        [
          '/services/T/B/SLACKTOKEN',
          `${JSON.parse(EXAMPLE_EVENTS.orderLive).messageId}:slack`,
          expect.stringMatching(/^application\/json/),
        ],
      ])
      expect(JSON.parse(target.requests[0]!.body)).toMatchObject({
        event: 'job.status',
        status: 'FAILED',
        messageId: '258270de-58f8-42da-aea6-e7a07d2667f7',
      })
      expect(JSON.parse(target.requests[1]!.body).text).toContain('FULFILLED')
      // Only the relay scenario reached the receiver: desktop: is refused before any contact.
      expect(receiver.posts()).toHaveLength(before + 1)
      expect(JSON.stringify(JSON.parse(stdout))).not.toContain('SLACKTOKEN')
    } finally {
      await target.close()
    }
  }, 60_000)
})
