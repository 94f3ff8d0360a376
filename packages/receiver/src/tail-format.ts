import type { WebhookSummary } from './store.ts'
import { VERDICTS } from './verdicts.ts'

const COLORS = { dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 } as const
type Color = keyof typeof COLORS

const GOOD = new Set(['SUCCEEDED', 'FULFILLED'])
const BAD = new Set(['ERROR', 'FAILED', 'FAILED_PERMANENTLY'])

/**
 * One human line per webhook for `pnpm tail`:
 * `#12  14:03:22  job.status  live  SUCCEEDED  job 6dbe8956-…  verified`.
 */
export function formatTailLine(
  webhook: WebhookSummary,
  options: { color?: boolean; duplicate?: boolean } = {}
): string {
  const paint = (color: Color, text: string) =>
    options.color ? `\x1b[${COLORS[color]}m${text}\x1b[0m` : text
  const time = new Date(webhook.receivedAt).toTimeString().slice(0, 8)
  const status = webhook.status ?? '-'
  const ref = webhook.jobId
    ? `job ${webhook.jobId}`
    : webhook.orderId
      ? `order ${webhook.orderId}`
      : ''
  const verdict = webhook.verdict.startsWith(VERDICTS.invalid)
    ? paint('red', webhook.verdict)
    : webhook.verdict === VERDICTS.verified
      ? paint('green', webhook.verdict)
      : webhook.verdict === VERDICTS.headersOnly
        ? paint('yellow', webhook.verdict)
        : paint('dim', webhook.verdict)
  const parts = [
    paint('dim', `#${webhook.id}`.padEnd(7)),
    paint('dim', time),
    (webhook.event ?? '-').padEnd(12),
    webhook.liveMode === true
      ? paint('cyan', 'live')
      : webhook.liveMode === false
        ? paint('magenta', 'test')
        : '-   ',
    paint(
      GOOD.has(status)
        ? 'green'
        : BAD.has(status)
          ? 'red'
          : status === 'CANCELLED'
            ? 'yellow'
            : 'blue',
      status.padEnd(18)
    ),
    ref,
    verdict,
  ]
  if (options.duplicate) parts.push(paint('yellow', `duplicate delivery ×${webhook.deliveryCount}`))
  else if (webhook.deliveryCount > 1) parts.push(paint('yellow', `×${webhook.deliveryCount}`))
  return parts.filter((part) => part !== '').join('  ')
}
