import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { describe, expect, it } from 'vitest'
import {
  digestTitle,
  formatDuration,
  messageText,
  outcomeOf,
  titleOf,
  worstOutcome,
} from './notice-text.ts'
import { noticeOf, type WebhookNotice } from './webhook-notice.ts'

const failedJob = noticeOf(EXAMPLE_EVENTS.jobLive, { webhookId: 7, publicUrl: 'https://r.example' })
const testJob = noticeOf(EXAMPLE_EVENTS.jobTest)
const order = noticeOf(EXAMPLE_EVENTS.orderLive)

function orderWith(status: string, id: string): WebhookNotice {
  return { ...order, status, orderId: id }
}

describe('titles', () => {
  it('says kind, short id and status, and marks test events', () => {
    expect(titleOf(failedJob)).toBe('Job 6dbe8956 FAILED')
    expect(titleOf(order)).toBe('Order 86296865 FULFILLED')
    expect(titleOf(testJob)).toBe('[TEST] Job FB0DA199 PENDING')
  })

  it('keeps titles ASCII (they go into HTTP headers)', () => {
    expect(titleOf({ ...order, status: 'FULFILLÉ' })).toBe('Order 86296865 FULFILL?')
  })

  it('digests a burst: "12 orders FULFILLED, 1 job FAILED"', () => {
    const burst = [
      ...Array.from({ length: 12 }, (_, i) => orderWith('FULFILLED', `o${i}`)),
      failedJob,
    ]
    expect(digestTitle([failedJob, ...burst.slice(0, 12)])).toBe(
      '12 orders FULFILLED, 1 job FAILED'
    )
    expect(digestTitle([testJob, testJob, order])).toBe('2 test jobs PENDING, 1 order FULFILLED')
  })
})

describe('messageText', () => {
  it('lists id, status, mode, duration, failed tasks with logUrl and the inspector link', () => {
    expect(messageText([failedJob])).toBe(
      [
        'Job: 6dbe8956-b8c5-47b3-9f56-b1686628aa19',
        'Status: FAILED',
        'Mode: live',
        'Took: 3m 34s (2022-07-25T15:59:00Z → 2022-07-25T16:02:34Z)',
        'Failed tasks:',
        '- b3a59b77 FAILED: https://api.up42.com/projects/21fe9f6d-99a2-49af-bafb-620a20740e26/jobs/6dbe8956-b8c5-47b3-9f56-b1686628aa19/tasks/b3a59b77-718f-4243-9d04-e313e286e47b/logs',
        'Inspector: https://r.example/?id=7',
      ].join('\n')
    )
  })

  it('gives one line per notice in a digest, at most 20 and a count of the rest', () => {
    const notices = Array.from({ length: 23 }, (_, i) => orderWith('FULFILLED', `order-${i}`))
    const lines = messageText(notices).split('\n')
    expect(lines).toHaveLength(21)
    expect(lines[0]).toBe('Order order-0 FULFILLED')
    expect(lines[20]).toBe('… and 3 more')
  })
})

describe('outcomes', () => {
  it('is failure for FAILED / ERROR / FAILED_PERMANENTLY, success for SUCCEEDED / FULFILLED', () => {
    expect(outcomeOf(failedJob)).toBe('failure')
    expect(outcomeOf(orderWith('FAILED_PERMANENTLY', 'x'))).toBe('failure')
    expect(outcomeOf(order)).toBe('success')
    expect(outcomeOf({ ...order, status: 'CANCELLED' })).toBe('neutral')
    expect(worstOutcome([order, failedJob])).toBe('failure')
    expect(worstOutcome([order, order])).toBe('success')
  })
})

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [4_000, '4s'],
    [214_000, '3m 34s'],
    [3_720_000, '1h 2m'],
  ])('formatDuration(%d) is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})
