import { describe, expect, it } from 'vitest'
import { WebhookPayloadError } from './errors.ts'
import { EXAMPLE_EVENTS } from './example-events.ts'
import { parseEvent } from './parse-event.ts'

function payloadError(run: () => unknown): WebhookPayloadError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookPayloadError)
    expect((error as Error).name).toBe('WebhookPayloadError')
    return error as WebhookPayloadError
  }
  return expect.unreachable('parseEvent should have thrown')
}

const envelope = JSON.parse(EXAMPLE_EVENTS.orderLive) as Record<string, unknown>

describe('parseEvent with the article example payloads', () => {
  it('reads the job test event, taking the id from body.jobId', () => {
    expect(parseEvent(EXAMPLE_EVENTS.jobTest)).toMatchObject({
      event: 'job.status',
      liveMode: false,
      messageId: 'b6743fe0-9a26-44e9-b7aa-304b740aca55',
      timestamp: '2022-07-25T14:33:26.37709Z',
      jobId: 'FB0DA199-01DF-4635-910D-A823AE7DC200',
      status: 'PENDING',
    })
  })

  it('reads the job live event, taking the id from body.id, not a task id', () => {
    const event = parseEvent(EXAMPLE_EVENTS.jobLive)
    expect(event).toMatchObject({
      event: 'job.status',
      liveMode: true,
      messageId: '258270de-58f8-42da-aea6-e7a07d2667f7',
      timestamp: '2022-07-25T16:02:34Z',
      jobId: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
      status: 'FAILED',
    })
    expect((event.body.tasks as unknown[]).length).toBe(3)
  })

  it('reads the order live event', () => {
    expect(parseEvent(EXAMPLE_EVENTS.orderLive)).toEqual({
      event: 'order.status',
      liveMode: true,
      messageId: '518e6f77-bb07-41c7-ae04-caaedcfa607e',
      timestamp: '2022-07-25T16:32:28.994158Z',
      orderId: '86296865-9e91-4a16-9a3c-d4eaa584c03e',
      status: 'FULFILLED',
      body: {
        orderId: '86296865-9e91-4a16-9a3c-d4eaa584c03e',
        orderType: 'ARCHIVE',
        dataHostName: 'oneatlas',
        status: 'FULFILLED',
        statusIsFinal: true,
      },
    })
  })

  it('accepts bytes and already-parsed objects alike', () => {
    const fromBytes = parseEvent(new TextEncoder().encode(EXAMPLE_EVENTS.jobLive))
    expect(fromBytes).toEqual(parseEvent(EXAMPLE_EVENTS.jobLive))
    expect(parseEvent(JSON.parse(EXAMPLE_EVENTS.jobLive))).toEqual(fromBytes)
  })

  it('keeps example events as compact JSON with the article field order', () => {
    for (const json of Object.values(EXAMPLE_EVENTS)) {
      expect(JSON.stringify(JSON.parse(json))).toBe(json)
      expect(Object.keys(JSON.parse(json))).toEqual([
        'event',
        'liveMode',
        'messageId',
        'timestamp',
        'body',
      ])
    }
    expect(EXAMPLE_EVENTS.jobLive).not.toContain('...')
  })
})

describe('parseEvent edge cases', () => {
  it('keeps an unknown event type as a generic event', () => {
    const event = parseEvent({ ...envelope, event: 'catalog.updated', body: { status: 'DONE' } })
    expect(event).toEqual({
      ...envelope,
      event: 'catalog.updated',
      status: 'DONE',
      body: { status: 'DONE' },
    })
    expect(event.jobId).toBeUndefined()
    expect(event.orderId).toBeUndefined()
  })

  it('falls back to the other job id field and leaves absent or non-string ids undefined', () => {
    const job = { ...envelope, event: 'job.status' }
    expect(parseEvent({ ...job, liveMode: true, body: { jobId: 'j' } })).toMatchObject({
      jobId: 'j',
    })
    expect(parseEvent({ ...job, liveMode: false, body: { id: 'i' } })).toMatchObject({ jobId: 'i' })
    expect(parseEvent({ ...job, body: { id: 7, status: 3 } })).toMatchObject({
      jobId: undefined,
      status: undefined,
    })
    expect(parseEvent({ ...envelope, body: {} })).toMatchObject({
      orderId: undefined,
      status: undefined,
    })
  })

  it('throws INVALID_JSON with the parse error as cause', () => {
    const error = payloadError(() => parseEvent('{"event":'))
    expect(error.code).toBe('INVALID_JSON')
    expect(error.cause).toBeInstanceOf(SyntaxError)
    expect(payloadError(() => parseEvent(new Uint8Array([0x7b, 0xff, 0x7d]))).code).toBe(
      'INVALID_JSON'
    )
  })

  it.each([['[]'], ['null'], ['"text"'], ['42']])('throws NOT_AN_OBJECT for %s', (json) => {
    expect(payloadError(() => parseEvent(json)).code).toBe('NOT_AN_OBJECT')
  })

  it.each(['event', 'liveMode', 'messageId', 'timestamp', 'body'])(
    'throws MISSING_FIELD for %s',
    (field) => {
      const { [field]: _removed, ...rest } = envelope
      expect(payloadError(() => parseEvent(JSON.stringify(rest)))).toMatchObject({
        code: 'MISSING_FIELD',
        field,
      })
    }
  )

  it.each([
    ['event', 42],
    ['event', ''],
    ['liveMode', 'true'],
    ['messageId', null],
    ['timestamp', 1658766748],
    ['body', []],
    ['body', 'FULFILLED'],
  ])('throws INVALID_FIELD for %s = %j', (field, value) => {
    expect(payloadError(() => parseEvent({ ...envelope, [field]: value }))).toMatchObject({
      code: 'INVALID_FIELD',
      field,
    })
  })
})
