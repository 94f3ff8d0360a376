import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { describe, expect, it } from 'vitest'
import { noticeOf, sampleNotice } from './webhook-notice.ts'

describe('noticeOf', () => {
  it('reads a live FAILED job: id, duration, failed tasks with logUrl, inspector link', () => {
    const notice = noticeOf(EXAMPLE_EVENTS.jobLive, {
      webhookId: 42,
      receivedAt: Date.UTC(2022, 6, 25, 16, 2, 35),
      publicUrl: 'https://relay.example.com/',
    })
    expect(notice).toEqual({
      event: 'job.status',
      status: 'FAILED',
      liveMode: true,
      jobId: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
      orderId: null,
      messageId: '258270de-58f8-42da-aea6-e7a07d2667f7',
      webhookId: 42,
      receivedAt: '2022-07-25T16:02:35.000Z',
      startedAt: '2022-07-25T15:59:00Z',
      finishedAt: '2022-07-25T16:02:34Z',
      durationMs: 214_000,
      failedTasks: [
        {
          id: 'b3a59b77-718f-4243-9d04-e313e286e47b',
          name: null,
          status: 'FAILED',
          logUrl:
            'https://api.up42.com/projects/21fe9f6d-99a2-49af-bafb-620a20740e26/jobs/6dbe8956-b8c5-47b3-9f56-b1686628aa19/tasks/b3a59b77-718f-4243-9d04-e313e286e47b/logs',
        },
      ],
      inspectorUrl: 'https://relay.example.com/?id=42',
    })
  })

  it('reads a test job event (jobId in body.jobId, liveMode false)', () => {
    const notice = noticeOf(JSON.parse(EXAMPLE_EVENTS.jobTest))
    expect(notice.liveMode).toBe(false)
    expect(notice.jobId).toBe('FB0DA199-01DF-4635-910D-A823AE7DC200')
    expect(notice.status).toBe('PENDING')
    expect(notice.durationMs).toBeNull()
    expect(notice.inspectorUrl).toBeNull()
  })

  it('reads an order event from bytes', () => {
    const notice = noticeOf(new TextEncoder().encode(EXAMPLE_EVENTS.orderLive))
    expect(notice.orderId).toBe('86296865-9e91-4a16-9a3c-d4eaa584c03e')
    expect(notice.jobId).toBeNull()
    expect(notice.status).toBe('FULFILLED')
  })

  it('never throws: a body that is not an envelope gives what it has', () => {
    expect(noticeOf('not json').event).toBeNull()
    expect(noticeOf([1, 2]).status).toBeNull()
    const partial = noticeOf({ event: 'job.status', body: { id: 'j1', status: 'FAILED' } })
    expect(partial).toMatchObject({
      event: 'job.status',
      jobId: 'j1',
      status: 'FAILED',
      liveMode: null,
    })
  })

  it('keeps only http(s) logUrls, so a payload cannot plant a javascript: link', () => {
    const notice = noticeOf({
      event: 'job.status',
      liveMode: true,
      messageId: 'm',
      timestamp: 't',
      body: {
        id: 'j',
        status: 'FAILED',
        tasks: [
          { id: 'a', status: 'FAILED', logUrl: 'javascript:alert(1)' },
          { id: 'b', status: 'ERROR', name: 'ndvi', logUrl: 'https://x.example/log' },
          { id: 'c', status: 'SUCCEEDED', logUrl: 'https://x.example/ok' },
        ],
      },
    })
    expect(notice.failedTasks).toEqual([
      { id: 'a', name: null, status: 'FAILED', logUrl: null },
      { id: 'b', name: 'ndvi', status: 'ERROR', logUrl: 'https://x.example/log' },
    ])
  })

  it('gives no duration when finishedAt is before startedAt', () => {
    const notice = noticeOf({
      event: 'job.status',
      body: { startedAt: '2022-01-02T00:00:00Z', finishedAt: '2022-01-01T00:00:00Z' },
    })
    expect(notice.durationMs).toBeNull()
  })
})

describe('sampleNotice', () => {
  it('is a live failed job with a failed task, for "send a test message"', () => {
    const notice = sampleNotice({ webhookId: 1, publicUrl: 'http://127.0.0.1:3000' })
    expect(notice.status).toBe('FAILED')
    expect(notice.failedTasks).toHaveLength(1)
    expect(notice.inspectorUrl).toBe('http://127.0.0.1:3000/?id=1')
  })
})
