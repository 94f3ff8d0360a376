import type { NotifyDestination } from '../channel.ts'
import { summaryJson } from '../format-json.ts'
import type { SendOutcome } from '../send-outcome.ts'
import type { WebhookNotice } from '../webhook-notice.ts'
import { processOutcome } from './process-outcome.ts'
import { runProcess } from './run-process.ts'
import type { NodeSendOptions } from './send-options.ts'

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000

/**
 * Runs a `cmd:` destination's command line through the system shell (`/bin/sh -c` on POSIX), so
 * quoting, pipes and `$VARIABLES` work as typed. The line comes from the operator's config; the
 * webhook's data never enters it, only stdin (the summary JSON, as `json+` destinations get it)
 * and the environment: `UP42_EVENT`, `UP42_STATUS`, `UP42_JOB_ID` / `UP42_ORDER_ID`,
 * `UP42_MESSAGE_ID`, `UP42_LIVE_MODE`, `UP42_WEBHOOK_ID`, `UP42_INSPECTOR_URL`,
 * `UP42_IDEMPOTENCY_KEY` and, for a digest, `UP42_DIGEST_COUNT` (then each other variable is set
 * only when every notice has the same value). Variables without a value are removed, not
 * inherited.
 */
export async function sendCommand(
  destination: NotifyDestination,
  notices: readonly WebhookNotice[],
  options: NodeSendOptions
): Promise<SendOutcome> {
  const started = Date.now()
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
  const line = destination.target.replace(/^cmd:/i, '').trim()
  const result = await runProcess({
    command: line,
    shell: true,
    input: `${JSON.stringify(summaryJson(notices))}\n`,
    env: commandEnv(notices, options),
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return processOutcome('the command', result, timeoutMs, started)
}

export function commandEnv(
  notices: readonly WebhookNotice[],
  options: Pick<NodeSendOptions, 'env' | 'idempotencyKey'>
): Record<string, string | undefined> {
  const shared = (pick: (notice: WebhookNotice) => string | number | boolean | null) => {
    const values = new Set(notices.map((notice) => pick(notice)))
    const [value] = values
    return values.size === 1 && value !== null && value !== undefined ? String(value) : undefined
  }
  const env: Record<string, string | undefined> = {
    ...(options.env ?? process.env),
    UP42_EVENT: shared((n) => n.event),
    UP42_STATUS: shared((n) => n.status),
    UP42_JOB_ID: shared((n) => n.jobId),
    UP42_ORDER_ID: shared((n) => n.orderId),
    UP42_MESSAGE_ID: shared((n) => n.messageId),
    UP42_LIVE_MODE: shared((n) => n.liveMode),
    UP42_WEBHOOK_ID: shared((n) => n.webhookId),
    UP42_INSPECTOR_URL: shared((n) => n.inspectorUrl),
    UP42_IDEMPOTENCY_KEY: options.idempotencyKey,
    UP42_DIGEST_COUNT: notices.length > 1 ? String(notices.length) : undefined,
  }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key]
  return env
}
