import { readFile } from 'node:fs/promises'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { createTempDir, type TempDir } from '@up42-webhooks/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { summaryOf } from '../format-json.ts'
import { parseNotifyTarget } from '../parse-notify-target.ts'
import { noticeOf } from '../webhook-notice.ts'
import { sendNotification } from './send-notification.ts'

const failedJob = noticeOf(EXAMPLE_EVENTS.jobLive, { webhookId: 9, publicUrl: 'https://r.example' })
const order = noticeOf(EXAMPLE_EVENTS.orderLive, { webhookId: 10 })

let dir: TempDir
beforeAll(async () => {
  dir = await createTempDir('destinations-cmd-')
})
afterAll(() => dir.remove())

const baseEnv = () => ({ PATH: process.env.PATH, OUT: dir.file('out') })
async function envFile(): Promise<Record<string, string>> {
  const text = await readFile(dir.file('out.env'), 'utf8')
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.startsWith('UP42_'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  )
}

describe('cmd: (Node entry)', () => {
  const recorder = parseNotifyTarget('cmd:cat > "$OUT"; env > "$OUT.env"')

  it('runs the line through the shell with the summary JSON on stdin and UP42_* in its env', async () => {
    const outcome = await sendNotification(recorder, [failedJob], {
      env: { ...baseEnv(), UP42_ORDER_ID: 'stale-from-parent' },
      idempotencyKey: 'm1:cmd',
    })
    expect(outcome).toMatchObject({ outcome: 'delivered', status: null, error: null })
    expect(JSON.parse(await readFile(dir.file('out'), 'utf8'))).toEqual(summaryOf(failedJob))
    expect(await envFile()).toEqual({
      UP42_EVENT: 'job.status',
      UP42_STATUS: 'FAILED',
      UP42_JOB_ID: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
      UP42_MESSAGE_ID: '258270de-58f8-42da-aea6-e7a07d2667f7',
      UP42_LIVE_MODE: 'true',
      UP42_WEBHOOK_ID: '9',
      UP42_INSPECTOR_URL: 'https://r.example/?id=9',
      UP42_IDEMPOTENCY_KEY: 'm1:cmd',
    })
  })

  it('sets UP42_ORDER_ID for an order', async () => {
    await sendNotification(recorder, [order], { env: baseEnv() })
    expect(await envFile()).toMatchObject({
      UP42_EVENT: 'order.status',
      UP42_ORDER_ID: '86296865-9e91-4a16-9a3c-d4eaa584c03e',
    })
  })

  it('gives a digest on stdin, UP42_DIGEST_COUNT, and only the variables all notices share', async () => {
    await sendNotification(recorder, [order, { ...order, status: 'FAILED' }], { env: baseEnv() })
    const env = await envFile()
    expect(env).toMatchObject({ UP42_DIGEST_COUNT: '2', UP42_EVENT: 'order.status' })
    expect(env.UP42_STATUS).toBeUndefined()
    expect(JSON.parse(await readFile(dir.file('out'), 'utf8'))).toMatchObject({
      digest: true,
      count: 2,
    })
  })

  it('a non-zero exit is a retry with the output as excerpt', async () => {
    const outcome = await sendNotification(
      parseNotifyTarget('cmd:echo "boom on $UP42_STATUS" >&2; exit 3'),
      [order],
      { env: baseEnv() }
    )
    expect(outcome).toMatchObject({
      outcome: 'retry',
      error: 'the command exited with code 3',
      responseExcerpt: 'boom on FULFILLED',
    })
  })

  it('a command that does not read stdin is fine', async () => {
    const outcome = await sendNotification(parseNotifyTarget('cmd:true'), [order], {
      env: baseEnv(),
    })
    expect(outcome.outcome).toBe('delivered')
  })

  it('a timeout is a retry and ends what the line started (a background job keeps no pipe open)', async () => {
    const outcome = await sendNotification(parseNotifyTarget('cmd:sleep 30 & wait'), [order], {
      env: baseEnv(),
      timeoutMs: 200,
    })
    expect(outcome).toMatchObject({
      outcome: 'retry',
      error: 'the command did not exit within 200 ms (killed)',
    })
  })

  it('a command that is not found (exit 127) is failed at once', async () => {
    const outcome = await sendNotification(
      parseNotifyTarget('cmd:no-such-command-up42-webhooks'),
      [order],
      { env: baseEnv() }
    )
    expect(outcome.outcome).toBe('failed')
    expect(outcome.error).toBe('the command: command not found (exit code 127)')
  })
})
