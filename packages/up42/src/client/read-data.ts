import { Up42NetworkError } from './errors.ts'
import { isRecord } from './read-envelope.ts'
import type { TestEventsResult, Webhook, WebhookEventType } from './types.ts'

// UP42's replies are checked only as far as this package relies on them, so added fields
// never break the client while a changed shape fails loudly instead of printing `undefined`.

export function readWebhook(data: unknown, url: string): Webhook {
  if (
    !isRecord(data) ||
    typeof data.id !== 'string' ||
    typeof data.url !== 'string' ||
    typeof data.name !== 'string' ||
    !Array.isArray(data.events) ||
    !data.events.every((name) => typeof name === 'string') ||
    typeof data.active !== 'boolean'
  ) {
    throw invalid('a webhook', url)
  }
  return {
    id: data.id,
    name: data.name,
    url: data.url,
    events: data.events as string[],
    active: data.active,
    secret: typeof data.secret === 'string' ? data.secret : null,
    createdAt: typeof data.createdAt === 'string' ? data.createdAt : '',
    updatedAt: typeof data.updatedAt === 'string' ? data.updatedAt : '',
  }
}

export function readWebhooks(data: unknown, url: string): Webhook[] {
  if (!Array.isArray(data)) throw invalid('a list of webhooks', url)
  return data.map((item) => readWebhook(item, url))
}

export function readEventTypes(data: unknown, url: string): WebhookEventType[] {
  if (!Array.isArray(data)) throw invalid('a list of event types', url)
  return data.map((item) => {
    if (!isRecord(item) || typeof item.name !== 'string') throw invalid('an event type', url)
    const text = (key: string) => (typeof item[key] === 'string' ? (item[key] as string) : '')
    return {
      name: item.name,
      title: text('title'),
      category: text('category'),
      description: text('description'),
      documentation: text('documentation'),
    }
  })
}

export function readTestEventsResult(data: unknown, url: string): TestEventsResult {
  if (
    !isRecord(data) ||
    typeof data.testsRun !== 'number' ||
    typeof data.testsSucceeded !== 'number'
  ) {
    throw invalid('a test-events result', url)
  }
  return {
    startedAt: typeof data.startedAt === 'string' ? data.startedAt : '',
    testsRun: data.testsRun,
    testsSucceeded: data.testsSucceeded,
  }
}

function invalid(expected: string, url: string): Up42NetworkError {
  return new Up42NetworkError(`UP42 answered with data that is not ${expected}`, {
    code: 'INVALID_RESPONSE',
    url,
  })
}
