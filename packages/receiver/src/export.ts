import { withoutCredentials } from '@up42-webhooks/common'
import type { BodySource } from './pulled-body.ts'
import type { WebhookFilter, WebhookRecord, WebhookStore } from './store.ts'

/** One line of an NDJSON export: the full record, credentials removed. */
function exportLine(record: WebhookRecord): string {
  return `${JSON.stringify({ ...record, headers: withoutCredentials(record.headers) })}\n`
}

/**
 * The matching webhooks as NDJSON, oldest first, one full record per line, for `pulledBody`.
 * Read from the store as the client reads, so memory stays flat whatever the count and size.
 */
export function exportNdjson(store: WebhookStore, filter: WebhookFilter): BodySource {
  const encoder = new TextEncoder()
  let iterator: AsyncIterator<WebhookRecord> | null = null
  return {
    async next() {
      iterator ??= store.iterate(filter)[Symbol.asyncIterator]()
      const next = await iterator.next()
      return next.done ? null : encoder.encode(exportLine(next.value))
    },
    async close() {
      await iterator?.return?.()
    },
  }
}
