import { describe, expect, it } from 'vitest'
import { WebhookInputError } from './errors.ts'
import {
  KNOWN_WEBHOOK_EVENTS,
  parseEventList,
  validateWebhookInput,
} from './validate-webhook-input.ts'

describe('parseEventList', () => {
  it('splits, trims and de-duplicates, accepting the docs typo form', () => {
    expect(parseEventList('job.status, order.status,,job.status ')).toEqual([
      'job.status',
      'order.status',
    ])
  })
})

describe('validateWebhookInput', () => {
  const known = { knownEvents: KNOWN_WEBHOOK_EVENTS }

  it('accepts a complete valid webhook and an empty patch', () => {
    expect(() =>
      validateWebhookInput(
        { name: 'n', url: 'https://x.example/hook', events: ['job.status'], secret: null },
        known
      )
    ).not.toThrow()
    expect(() => validateWebhookInput({})).not.toThrow()
  })

  it.each([
    [{ url: 'http://x.example' }, 'URL_NOT_HTTPS', 'url'],
    [{ url: 'x.example/hook' }, 'INVALID_URL', 'url'],
    [{ name: '  ' }, 'EMPTY_NAME', 'name'],
    [{ events: [] }, 'NO_EVENTS', 'events'],
    [{ events: ['job.status', 'job.finished'] }, 'UNKNOWN_EVENT', 'events'],
    [{ secret: '' }, 'EMPTY_SECRET', 'secret'],
  ] as const)('rejects %j with %s', (input, code, field) => {
    const error = (() => {
      try {
        validateWebhookInput(input as never, known)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(WebhookInputError)
    expect(error).toMatchObject({ code, field })
  })

  it('checks event names only against a given list', () => {
    expect(() => validateWebhookInput({ events: ['job.finished'] })).not.toThrow()
  })

  it('never shows URL credentials in its message', () => {
    expect(() => validateWebhookInput({ url: 'http://bob:hunter22@x.example/' })).toThrow(
      'url must use https:// (UP42 only delivers to HTTPS URLs), got http://bob:***@x.example/'
    )
  })
})
