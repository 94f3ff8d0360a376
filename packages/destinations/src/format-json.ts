import type { FormatOptions, HttpRequestSpec } from './http-request.ts'
import { messageTitle } from './notice-text.ts'
import type { WebhookNotice } from './webhook-notice.ts'

/** The summary of one notice that `json+` destinations and `cmd:` commands receive. */
export interface NoticeSummary extends WebhookNotice {
  /** `true` for a test event (`liveMode: false`). */
  test: boolean
  /** The one-line title other channels show. */
  title: string
}

/** What a `json+` destination receives for a digest. */
export interface DigestSummary {
  digest: true
  /** `12 orders FULFILLED, 1 job FAILED`. */
  title: string
  count: number
  notices: NoticeSummary[]
}

export function summaryOf(notice: WebhookNotice): NoticeSummary {
  return { title: messageTitle([notice]), test: notice.liveMode === false, ...notice }
}

/** One notice's summary, or a digest holding each one's. */
export function summaryJson(notices: readonly WebhookNotice[]): NoticeSummary | DigestSummary {
  if (notices.length === 1) return summaryOf(notices[0]!)
  return {
    digest: true,
    title: messageTitle(notices),
    count: notices.length,
    notices: notices.map(summaryOf),
  }
}

/**
 * A small JSON summary for anything that is not a chat service: event, status, liveMode, the
 * job or order id, messageId, webhook id, received time, failed tasks with their `logUrl`, and
 * the inspector link (fields of WebhookNotice plus `title` and `test`).
 */
export function formatJson(
  url: string,
  notices: readonly WebhookNotice[],
  _options: FormatOptions
): HttpRequestSpec {
  return {
    url,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(summaryJson(notices)),
  }
}
