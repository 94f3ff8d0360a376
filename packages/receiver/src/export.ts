import { withoutCredentials } from './credential-headers.ts'
import type { WebhookFilter, WebhookRecord, WebhookStore } from './store.ts'

/** One line of an NDJSON export: the full record, credentials removed. */
function exportLine(record: WebhookRecord): string {
  return `${JSON.stringify({ ...record, headers: withoutCredentials(record.headers) })}\n`
}

/**
 * The matching webhooks as NDJSON, oldest first, one full record per line. Streamed from the
 * store, so memory stays flat whatever the count; the reader's pace drives the reads.
 */
export function exportNdjson(
  store: WebhookStore,
  filter: WebhookFilter
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let iterator: AsyncIterator<WebhookRecord> | null = null
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= store.iterate(filter)[Symbol.asyncIterator]()
        const next = await iterator.next()
        if (next.done) controller.close()
        else controller.enqueue(encoder.encode(exportLine(next.value)))
      },
      async cancel() {
        await iterator?.return?.()
      },
    },
    { highWaterMark: 16 }
  )
}
