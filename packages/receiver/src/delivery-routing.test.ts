import { describe, expect, it } from 'vitest'
import { matchesDestinationFilter, routeDeliveries } from './delivery-routing.ts'
import type { RoutedDestination } from './delivery-routing.ts'
import type { WebhookFields } from './extract-fields.ts'

const job = (status: string, extra: Partial<WebhookFields> = {}): WebhookFields => ({
  event: 'job.status',
  liveMode: true,
  status,
  messageId: 'm',
  jobId: 'job-1',
  orderId: null,
  timestamp: null,
  ...extra,
})

const notify: RoutedDestination = {
  name: 'ntfy',
  kind: 'notify',
  filter: {
    events: ['job.status', 'order.status'],
    statuses: ['FAILED', 'SUCCEEDED', 'FULFILLED'],
  },
}
const forward: RoutedDestination = { name: 'app', kind: 'forward', filter: {} }

describe('routeDeliveries', () => {
  it('forwards a RUNNING job but does not notify it', () => {
    expect(routeDeliveries(job('RUNNING'), 0, [notify, forward])).toEqual([
      { destination: 'app', kind: 'forward' },
    ])
  })

  it('notifies and forwards a FAILED job; a digest window makes the notification due later', () => {
    expect(
      routeDeliveries(job('FAILED'), 1000, [{ ...notify, digestWindowMs: 500 }, forward])
    ).toEqual([
      { destination: 'ntfy', kind: 'notify', notBefore: 1500 },
      { destination: 'app', kind: 'forward' },
    ])
  })

  it('routes a body with no envelope to forwarding only', () => {
    const none = job('', { event: null, status: null, liveMode: null, jobId: null })
    expect(routeDeliveries(none, 0, [notify, forward]).map((d) => d.destination)).toEqual(['app'])
  })
})

describe('matchesDestinationFilter', () => {
  it.each([
    [{ statuses: ['failed'] }, job('FAILED'), true],
    [{ liveMode: true }, job('FAILED', { liveMode: false }), false],
    [{ liveMode: false }, job('FAILED', { liveMode: false }), true],
    [{ events: ['order.status'] }, job('FAILED'), false],
    [{ jobIds: ['job-1'] }, job('FAILED'), true],
    [{ jobIds: ['job-2'] }, job('FAILED'), false],
    [{ orderIds: ['o-1'] }, job('FAILED'), false],
    [
      { jobIds: ['job-2'], orderIds: ['o-1'] },
      job('FULFILLED', { event: 'order.status', jobId: null, orderId: 'o-1' }),
      true,
    ],
  ])('%j on %j is %s', (filter, fields, expected) => {
    expect(matchesDestinationFilter(fields, filter)).toBe(expected)
  })
})
