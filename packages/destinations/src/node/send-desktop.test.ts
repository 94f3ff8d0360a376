import { chmod, readFile, writeFile } from 'node:fs/promises'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { createTempDir, type TempDir } from '@up42-webhooks/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseNotifyTarget } from '../parse-notify-target.ts'
import { noticeOf } from '../webhook-notice.ts'
import { sendNotification } from './send-notification.ts'

const failedJob = noticeOf(EXAMPLE_EVENTS.jobLive, {
  webhookId: 5,
  publicUrl: 'http://127.0.0.1:1',
})
const order = noticeOf(EXAMPLE_EVENTS.orderLive)
const desktop = parseNotifyTarget('desktop:')

// A stand-in for notify-send / osascript: records its arguments NUL-separated, prints to stderr
// and exits with FAKE_EXIT.
const FAKE = `#!/bin/sh
printf '%s\\0' "$@" > "$FAKE_LOG"
echo "fake notifier said no" >&2
exit "\${FAKE_EXIT:-0}"
`

let dir: TempDir
beforeAll(async () => {
  dir = await createTempDir('destinations-desktop-')
  for (const name of ['notify-send', 'osascript']) {
    await writeFile(dir.file(name), FAKE)
    await chmod(dir.file(name), 0o755)
  }
})
afterAll(() => dir.remove())

function env(extra: Record<string, string> = {}) {
  return { PATH: `${dir.path}:/usr/bin:/bin`, FAKE_LOG: dir.file('args'), ...extra }
}
async function recordedArgs(): Promise<string[]> {
  return (await readFile(dir.file('args'), 'utf8')).split('\0').slice(0, -1)
}

describe('desktop: (Node entry)', () => {
  it('runs notify-send on Linux with title, body and critical urgency for a failure', async () => {
    const outcome = await sendNotification(desktop, [failedJob], { platform: 'linux', env: env() })
    expect(outcome).toMatchObject({ outcome: 'delivered', status: null, error: null })
    const args = await recordedArgs()
    expect(args.slice(0, 4)).toEqual([
      '--app-name=UP42 webhooks',
      '--urgency=critical',
      '--',
      'Job 6dbe8956 FAILED',
    ])
    expect(args[4]).toContain('Failed tasks:')
    expect(args[4]).toContain('Inspector: http://127.0.0.1:1/?id=5')
  })

  it('uses normal urgency otherwise', async () => {
    await sendNotification(desktop, [order], { platform: 'linux', env: env() })
    expect((await recordedArgs())[1]).toBe('--urgency=normal')
  })

  it('runs osascript on macOS with the texts as argv, not inside the script', async () => {
    const hostile = { ...order, status: 'X" & do shell script "touch /tmp/pwned' }
    const outcome = await sendNotification(desktop, [hostile], { platform: 'darwin', env: env() })
    expect(outcome.outcome).toBe('delivered')
    const args = await recordedArgs()
    expect(args.slice(0, 6)).toEqual([
      '-e',
      'on run argv',
      '-e',
      'display notification (item 2 of argv) with title (item 1 of argv)',
      '-e',
      'end run',
    ])
    expect(args[6]).toContain('do shell script')
  })

  it('a non-zero exit is a retry, with the output as excerpt', async () => {
    const outcome = await sendNotification(desktop, [order], {
      platform: 'linux',
      env: env({ FAKE_EXIT: '3' }),
    })
    expect(outcome).toMatchObject({
      outcome: 'retry',
      error: 'notify-send exited with code 3',
      responseExcerpt: 'fake notifier said no',
    })
  })

  it('no notify-send on PATH is failed at once', async () => {
    const empty = await createTempDir('destinations-empty-')
    const outcome = await sendNotification(desktop, [order], {
      platform: 'linux',
      env: { PATH: empty.path },
    })
    await empty.remove()
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'notify-send not found on PATH' })
  })

  it('is failed on a platform without a notifier', async () => {
    const outcome = await sendNotification(desktop, [order], { platform: 'win32', env: env() })
    expect(outcome.outcome).toBe('failed')
    expect(outcome.error).toContain('notify-send (Linux) or osascript (macOS)')
  })
})
