import { describe, expect, it } from 'vitest'
import type { WebhookSummary } from './store.ts'
import { formatTailLine } from './tail-format.ts'

const summary = (verdict: string): WebhookSummary => ({
  id: 1,
  receivedAt: '2026-01-01T00:00:00.000Z',
  event: 'job.status',
  liveMode: true,
  status: 'SUCCEEDED',
  messageId: 'm',
  jobId: 'j',
  orderId: null,
  deliveryCount: 1,
  verdict,
  size: 2,
})

describe('formatTailLine', () => {
  it.each([
    ['verified', 32],
    ['verified-headers-only', 33],
    ['invalid:MALFORMED_HEADER', 31],
    ['unsigned', 2],
  ])('paints the verdict %s in colour %i', (verdict, code) => {
    const line = formatTailLine(summary(verdict), { color: true })
    expect(line.endsWith(`\x1b[${code}m${verdict}\x1b[0m`)).toBe(true)
    expect(formatTailLine(summary(verdict)).endsWith(`  ${verdict}`)).toBe(true)
  })
})
