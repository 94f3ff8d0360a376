import { EXAMPLE_EVENTS, parseEvent } from '@up42-webhooks/shared'
import { describe, expect, it } from 'vitest'
import { extractFields } from './extract-fields.ts'

describe('extractFields', () => {
  it('reads the job id from body.jobId on a test event', () => {
    expect(extractFields(JSON.parse(EXAMPLE_EVENTS.jobTest))).toEqual({
      event: 'job.status',
      liveMode: false,
      status: 'PENDING',
      messageId: 'b6743fe0-9a26-44e9-b7aa-304b740aca55',
      jobId: 'FB0DA199-01DF-4635-910D-A823AE7DC200',
      orderId: null,
      timestamp: JSON.parse(EXAMPLE_EVENTS.jobTest).timestamp,
    })
  })

  it('reads the job id from body.id on a live event', () => {
    expect(extractFields(JSON.parse(EXAMPLE_EVENTS.jobLive))).toMatchObject({
      liveMode: true,
      status: 'FAILED',
      jobId: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
    })
  })

  it('picks the job id as parseEvent does when a job body has both id and jobId', () => {
    for (const liveMode of [true, false]) {
      const body = { id: 'live-id', jobId: 'test-id', status: 'RUNNING' }
      const envelope = {
        event: 'job.status',
        liveMode,
        messageId: 'm',
        timestamp: '2022-07-25T16:02:34Z',
        body,
      }
      expect(extractFields(envelope).jobId).toBe(parseEvent(envelope).jobId ?? null)
    }
  })

  it('reads the order id of an order event and ignores body.id there', () => {
    const order = JSON.parse(EXAMPLE_EVENTS.orderLive)
    order.body.id = 'not-a-job'
    expect(extractFields(order)).toMatchObject({
      event: 'order.status',
      status: 'FULFILLED',
      orderId: '86296865-9e91-4a16-9a3c-d4eaa584c03e',
      jobId: null,
    })
  })

  it.each([
    [null],
    [[1, 2]],
    ['text'],
    [42],
    [{ event: 7, liveMode: 'yes', body: [], timestamp: 1658766154 }],
  ])('gives null fields for %j', (value) => {
    expect(extractFields(value)).toEqual({
      event: null,
      liveMode: null,
      status: null,
      messageId: null,
      jobId: null,
      orderId: null,
      timestamp: null,
    })
  })
})
