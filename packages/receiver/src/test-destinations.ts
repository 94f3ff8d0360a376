import { randomUUID } from 'node:crypto'
import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import type { SendOutcome } from '@up42-webhooks/destinations'
import { createDispatchTargets } from './destination-senders.ts'
import type { SenderDeps } from './destination-senders.ts'
import type { DestinationsConfig } from './destinations-config.ts'
import { extractFields } from './extract-fields.ts'
import type { WebhookRecord } from './store.ts'

/** A sample webhook (UP42's FAILED job example) as if stored, signed when a secret is given. */
async function sampleRecord(secret: string | null): Promise<WebhookRecord> {
  const parsed = JSON.parse(EXAMPLE_EVENTS.jobLive) as Record<string, unknown>
  // a fresh messageId: an app that deduplicates still takes a second test
  const body = JSON.stringify({ ...parsed, messageId: `test-${randomUUID()}` })
  const bytes = new TextEncoder().encode(body)
  const signed = secret === null ? {} : await signWebhook({ body: bytes, secret })
  const fields = extractFields(JSON.parse(body))
  return {
    id: 0,
    receivedAt: new Date().toISOString(),
    event: fields.event,
    liveMode: fields.liveMode,
    status: fields.status,
    messageId: fields.messageId,
    jobId: fields.jobId,
    orderId: fields.orderId,
    deliveryCount: 1,
    verdict: 'unchecked',
    size: bytes.byteLength,
    headers: { 'content-type': 'application/json', ...signed },
    body,
    bodyBase64: Buffer.from(bytes).toString('base64'),
    remoteAddress: null,
    idempotencyKey: null,
  }
}

/** One line per destination: `ok` or `FAIL`, name, masked target, status or error, time. */
export function formatOutcome(name: string, display: string, outcome: SendOutcome): string {
  const verdict = outcome.outcome === 'delivered' ? 'ok  ' : 'FAIL'
  const answer = outcome.status === null ? (outcome.error ?? 'no answer') : `HTTP ${outcome.status}`
  const detail =
    outcome.outcome !== 'delivered' && outcome.status !== null && outcome.responseExcerpt
      ? `: ${outcome.responseExcerpt.replace(/\s+/g, ' ').slice(0, 120)}`
      : outcome.outcome !== 'delivered' && outcome.status !== null && outcome.error
        ? `: ${outcome.error}`
        : ''
  return `${verdict} ${name} ${display} ${answer}${detail} (${outcome.latencyMs} ms)`
}

/**
 * `--test-destinations`: sends one sample message to every configured destination, each once
 * (no retries), and prints each outcome. Resolves true when every one was delivered.
 */
export async function testDestinations(
  config: DestinationsConfig,
  deps: SenderDeps & { say: (line: string) => void }
): Promise<boolean> {
  const { targets, close } = createDispatchTargets(config, deps)
  const secret = [deps.secret ?? []].flat()[0] ?? null
  const signal = new AbortController().signal
  try {
    const outcomes = await Promise.all(
      targets.map(async (target) => {
        const record = await sampleRecord(secret)
        return target.send([record], {
          idempotencyKey: `${record.messageId}:${target.name}`,
          signal,
        })
      })
    )
    // in configuration order, whichever answered first
    outcomes.forEach((outcome, i) =>
      deps.say(formatOutcome(targets[i]!.name, config.destinations[i]!.display, outcome))
    )
    return outcomes.every((outcome) => outcome.outcome === 'delivered')
  } finally {
    await close()
  }
}
