import type { FormatOptions, HttpRequestSpec } from './http-request.ts'
import { linkUrl } from './link-url.ts'
import {
  DIGEST_LINES,
  digestLine,
  factsOf,
  isTest,
  messageText,
  messageTitle,
  taskLabel,
} from './notice-text.ts'
import { truncate } from './truncate.ts'
import type { WebhookNotice } from './webhook-notice.ts'

type Block = Record<string, unknown>

/**
 * A Slack incoming-webhook message (docs.slack.dev/messaging/sending-messages-using-incoming-webhooks):
 * `text` is the notification and fallback, `blocks` the layout. Slack answers `200 ok`.
 * Values are escaped (`&`, `<`, `>`), so a payload cannot ping `<!channel>` or forge links.
 */
export function formatSlack(
  url: string,
  notices: readonly WebhookNotice[],
  _options: FormatOptions
): HttpRequestSpec {
  const title = messageTitle(notices)
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, 150), emoji: false } },
  ]
  if (notices.length === 1) blocks.push(...noticeBlocks(notices[0]!))
  else {
    const lines = notices.slice(0, DIGEST_LINES).map((notice) => {
      const line = escape(digestLine(notice))
      return notice.inspectorUrl ? `• <${linkUrl(notice.inspectorUrl)}|${line}>` : `• ${line}`
    })
    blocks.push(section(lines.join('\n')))
    if (notices.length > DIGEST_LINES) {
      blocks.push(context(`… and ${notices.length - DIGEST_LINES} more`))
    }
  }
  const text = truncate(`${title}\n${messageText(notices)}`, 3000)
  return {
    url,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ text: escape(text), blocks, unfurl_links: false, unfurl_media: false }),
  }
}

function noticeBlocks(notice: WebhookNotice): Block[] {
  const blocks: Block[] = []
  if (isTest(notice)) blocks.push(context('Test event (liveMode: false)'))
  blocks.push({
    type: 'section',
    fields: factsOf(notice)
      .slice(0, 10)
      .map(({ label, value }) => ({
        type: 'mrkdwn',
        text: truncate(`*${label}*\n${escape(value)}`, 2000),
      })),
  })
  if (notice.failedTasks.length > 0) {
    const lines = notice.failedTasks.map((task) => {
      const label = escape(taskLabel(task))
      return task.logUrl ? `• <${linkUrl(task.logUrl)}|${label}> (log)` : `• ${label}`
    })
    blocks.push(section(`*Failed tasks*\n${lines.join('\n')}`))
  }
  if (notice.inspectorUrl !== null) {
    blocks.push(context(`<${linkUrl(notice.inspectorUrl)}|Open in the inspector>`))
  }
  return blocks
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }
}

function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, 3000) }] }
}

/** Slack's three control characters (docs.slack.dev "Escaping text"). */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
