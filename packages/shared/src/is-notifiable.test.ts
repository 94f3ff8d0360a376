import { describe, expect, it } from 'vitest'
import { EXAMPLE_EVENTS } from './example-events.ts'
import { isNotifiable } from './is-notifiable.ts'
import { parseEvent, type Up42Event } from './parse-event.ts'

const jobTest = parseEvent(EXAMPLE_EVENTS.jobTest)
const jobLive = parseEvent(EXAMPLE_EVENTS.jobLive)
const orderLive = parseEvent(EXAMPLE_EVENTS.orderLive)

function withStatus(event: Up42Event, status: string): Up42Event {
  return { ...event, status, body: { ...event.body, status } }
}

// original-system.md §7.3: every job status the API sends, and every order status (old and new).
const JOB_STATUSES = {
  NOT_STARTED: false,
  PENDING: false,
  RUNNING: false,
  SUCCEEDED: true,
  FAILED: true,
  ERROR: true,
  CANCELLED: true,
  CANCELLING: false,
}
const ORDER_STATUSES = {
  PLACED: false,
  FAILED: true,
  FULFILLED: true,
  BEING_FULFILLED: false,
  FAILED_PERMANENTLY: true,
  CREATED: false,
  BEING_PLACED: false,
  PLACEMENT_FAILED: false,
  DELIVERY_INITIALIZATION_FAILED: false,
  DOWNLOAD_FAILED: false,
  DOWNLOADED: false,
  // The original snippet's misspelling, which never matched what UP42 sends.
  'FAILED PERMANENTLY': false,
}

describe('isNotifiable with the article example payloads', () => {
  it('ignores the PENDING job test event', () => {
    expect(isNotifiable(jobTest)).toBe(false)
  })

  it('notifies the FAILED live job', () => {
    expect(isNotifiable(jobLive)).toBe(true)
  })

  it('notifies the FULFILLED live order', () => {
    expect(isNotifiable(orderLive)).toBe(true)
  })
})

describe('isNotifiable default lists', () => {
  it.each(Object.entries(JOB_STATUSES))('job.status %s → %s', (status, expected) => {
    expect(isNotifiable(withStatus(jobLive, status))).toBe(expected)
  })

  it.each(Object.entries(ORDER_STATUSES))('order.status %s → %s', (status, expected) => {
    expect(isNotifiable(withStatus(orderLive, status))).toBe(expected)
  })

  it('notifies FAILED_PERMANENTLY orders (regression: the original wrote "FAILED PERMANENTLY")', () => {
    expect(isNotifiable(withStatus(orderLive, 'FAILED_PERMANENTLY'))).toBe(true)
  })

  it('keeps job and order lists apart: FULFILLED is not a job status, SUCCEEDED not an order one', () => {
    expect(isNotifiable(withStatus(jobLive, 'FULFILLED'))).toBe(false)
    expect(isNotifiable(withStatus(orderLive, 'SUCCEEDED'))).toBe(false)
  })

  it('compares statuses case-insensitively', () => {
    expect(isNotifiable(withStatus(orderLive, 'failed_permanently'))).toBe(true)
  })
})

describe('isNotifiable options', () => {
  it('uses one statuses list for every event type', () => {
    expect(isNotifiable(jobTest, { statuses: ['PENDING'] })).toBe(true)
    expect(isNotifiable(jobLive, { statuses: ['pending'] })).toBe(false)
    expect(isNotifiable(orderLive, { statuses: [] })).toBe(false)
  })

  it('filters by event type', () => {
    expect(isNotifiable(orderLive, { events: ['job.status'] })).toBe(false)
    expect(isNotifiable(jobLive, { events: ['job.status'] })).toBe(true)
  })

  it('drops test events only when includeTestEvents is false', () => {
    const failedTest = withStatus(jobTest, 'FAILED')
    expect(isNotifiable(failedTest)).toBe(true)
    expect(isNotifiable(failedTest, { includeTestEvents: false })).toBe(false)
    expect(isNotifiable(jobLive, { includeTestEvents: false })).toBe(true)
  })

  it('does not notify unknown event types unless listed with statuses', () => {
    const other = parseEvent({
      ...JSON.parse(EXAMPLE_EVENTS.orderLive),
      event: 'catalog.updated',
      body: { status: 'FAILED' },
    })
    expect(isNotifiable(other)).toBe(false)
    expect(isNotifiable(other, { events: ['catalog.updated'] })).toBe(false)
    expect(isNotifiable(other, { events: ['catalog.updated'], statuses: ['FAILED'] })).toBe(true)
  })

  it('treats options = null like no options', () => {
    // @ts-expect-error deliberate misuse
    expect(isNotifiable(jobLive, null)).toBe(true)
  })

  it.each([
    ['null', null, undefined],
    ['a string', 'FAILED', undefined],
    ['an event without status', { ...jobLive, status: undefined }, undefined],
    ['a numeric status', { ...jobLive, status: 3 }, undefined],
    ['statuses that are not an array', jobLive, { statuses: 'FAILED' }],
    ['events that are not an array', jobLive, { events: 'job.status' }],
    ['statuses with non-strings', jobLive, { statuses: [null, 1] }],
  ])('returns false instead of throwing for %s', (_, event, options) => {
    // @ts-expect-error deliberate misuse
    expect(isNotifiable(event, options)).toBe(false)
  })
})
