import { messageText, messageTitle, worstOutcome } from '../notice-text.ts'
import { failedOutcome } from '../send-notification.ts'
import type { SendOutcome } from '../send-outcome.ts'
import { truncate } from '../truncate.ts'
import type { WebhookNotice } from '../webhook-notice.ts'
import { processOutcome } from './process-outcome.ts'
import { runProcess } from './run-process.ts'
import type { NodeSendOptions } from './send-options.ts'

export const DEFAULT_DESKTOP_TIMEOUT_MS = 10_000

/** Desktop notifications show a few lines; the rest is in the inspector. */
const MAX_BODY = 1000

// osascript gets the texts as arguments (`argv`), never spliced into the script, so a title
// with quotes cannot change what AppleScript runs.
const APPLESCRIPT = [
  'on run argv',
  'display notification (item 2 of argv) with title (item 1 of argv)',
  'end run',
]

/**
 * A desktop notification: `notify-send` on Linux and the BSDs (libnotify; critical urgency for
 * failures), `osascript` on macOS. Spawned with arguments, no shell.
 */
export async function sendDesktop(
  notices: readonly WebhookNotice[],
  options: NodeSendOptions
): Promise<SendOutcome> {
  const started = Date.now()
  const platform = options.platform ?? process.platform
  const timeoutMs = options.timeoutMs ?? DEFAULT_DESKTOP_TIMEOUT_MS
  const title = messageTitle(notices)
  const body = truncate(messageText(notices), MAX_BODY)
  let command: string
  let args: string[]
  if (platform === 'darwin') {
    command = 'osascript'
    args = [...APPLESCRIPT.flatMap((line) => ['-e', line]), title, body]
  } else if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') {
    command = 'notify-send'
    const urgency = worstOutcome(notices) === 'failure' ? 'critical' : 'normal'
    args = ['--app-name=UP42 webhooks', `--urgency=${urgency}`, '--', title, body]
  } else {
    return failedOutcome(
      `desktop: notifications need notify-send (Linux) or osascript (macOS); this is ${platform}`
    )
  }
  const result = await runProcess({
    command,
    args,
    env: options.env ?? process.env,
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return processOutcome(command, result, timeoutMs, started)
}
