import { KNOWN_EVENT_TYPES } from '@up42-webhooks/shared'
import { WebhookInputError } from './errors.ts'
import { redactUrl } from './redact.ts'
import type { WebhookPatch } from './types.ts'

/** The event types UP42 documents (`GET /webhooks/events`); one list for the whole repo. */
export const KNOWN_WEBHOOK_EVENTS: readonly string[] = KNOWN_EVENT_TYPES

/**
 * Splits `job.status,order.status` (also the docs' typo form `"job.status, order.status"`)
 * into trimmed, de-duplicated names.
 */
export function parseEventList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0)
  return [...new Set(names)]
}

/**
 * Throws {@link WebhookInputError} for input UP42 would reject. Only the fields present are
 * checked, so it serves both create (all fields) and update (a patch).
 */
export function validateWebhookInput(
  input: WebhookPatch,
  options: { knownEvents?: readonly string[] } = {}
): void {
  if (input.name !== undefined && input.name.trim() === '') {
    throw new WebhookInputError('name must not be empty', { code: 'EMPTY_NAME', field: 'name' })
  }
  if (input.url !== undefined) validateUrl(input.url)
  if (input.events !== undefined) validateEvents(input.events, options.knownEvents)
  if (input.secret === '') {
    throw new WebhookInputError('secret must not be empty (omit it or use null for no secret)', {
      code: 'EMPTY_SECRET',
      field: 'secret',
    })
  }
}

function validateUrl(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (cause) {
    throw new WebhookInputError(`url is not a valid absolute URL: ${redactUrl(url)}`, {
      code: 'INVALID_URL',
      field: 'url',
      cause,
    })
  }
  if (parsed.protocol !== 'https:') {
    throw new WebhookInputError(
      `url must use https:// (UP42 only delivers to HTTPS URLs), got ${redactUrl(url)}`,
      { code: 'URL_NOT_HTTPS', field: 'url' }
    )
  }
}

function validateEvents(events: readonly string[], knownEvents: readonly string[] | undefined) {
  if (events.length === 0) {
    throw new WebhookInputError('events must list at least one event type', {
      code: 'NO_EVENTS',
      field: 'events',
    })
  }
  if (!knownEvents) return
  const unknown = events.filter((name) => !knownEvents.includes(name))
  if (unknown.length > 0) {
    throw new WebhookInputError(
      `unknown event type ${unknown.map((name) => `"${name}"`).join(', ')}; known: ${knownEvents.join(', ')}`,
      { code: 'UNKNOWN_EVENT', field: 'events' }
    )
  }
}
