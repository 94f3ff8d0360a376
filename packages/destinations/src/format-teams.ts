import type { FormatOptions, HttpRequestSpec } from './http-request.ts'
import { linkUrl } from './link-url.ts'
import {
  DIGEST_LINES,
  digestLine,
  factsOf,
  isTest,
  messageTitle,
  taskLabel,
  worstOutcome,
} from './notice-text.ts'
import type { WebhookNotice } from './webhook-notice.ts'

const COLOURS = { failure: 'Attention', success: 'Good', neutral: 'Default' } as const

type Element = Record<string, unknown>

/**
 * A Teams Workflows ("When a Teams webhook request is received") body: a `message` with one
 * Adaptive Card attachment. Old Office 365 connector MessageCards are retired, and Workflows
 * accept Adaptive Cards only (learn.microsoft.com … connectors-using, "Known issues"). The
 * flow answers 202 Accepted.
 */
export function formatTeams(
  url: string,
  notices: readonly WebhookNotice[],
  _options: FormatOptions
): HttpRequestSpec {
  const title = messageTitle(notices)
  const body: Element[] = [
    {
      type: 'TextBlock',
      text: title,
      weight: 'Bolder',
      size: 'Medium',
      color: COLOURS[worstOutcome(notices)],
      wrap: true,
    },
  ]
  const actions: Element[] = []
  if (notices.length === 1) {
    const notice = notices[0]!
    if (isTest(notice)) {
      body.push({
        type: 'TextBlock',
        text: 'Test event (liveMode: false)',
        isSubtle: true,
        wrap: true,
      })
    }
    body.push({
      type: 'FactSet',
      facts: factsOf(notice).map(({ label, value }) => ({ title: label, value })),
    })
    if (notice.failedTasks.length > 0) {
      body.push({ type: 'TextBlock', text: 'Failed tasks', weight: 'Bolder', wrap: true })
      for (const task of notice.failedTasks) {
        const label = mdEscape(taskLabel(task))
        body.push({
          type: 'TextBlock',
          text: task.logUrl ? `- [${label}](${linkUrl(task.logUrl)})` : `- ${label}`,
          wrap: true,
        })
      }
    }
    if (notice.inspectorUrl) {
      actions.push({
        type: 'Action.OpenUrl',
        title: 'Open in the inspector',
        url: notice.inspectorUrl,
      })
    }
  } else {
    for (const notice of notices.slice(0, DIGEST_LINES)) {
      const line = mdEscape(digestLine(notice))
      body.push({
        type: 'TextBlock',
        text: notice.inspectorUrl ? `- [${line}](${linkUrl(notice.inspectorUrl)})` : `- ${line}`,
        wrap: true,
        spacing: 'None',
      })
    }
    if (notices.length > DIGEST_LINES) {
      body.push({
        type: 'TextBlock',
        text: `… and ${notices.length - DIGEST_LINES} more`,
        isSubtle: true,
        wrap: true,
      })
    }
  }
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
    ...(actions.length > 0 ? { actions } : {}),
  }
  const message = {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  }
  return {
    url,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(message),
  }
}

/** Adaptive Card TextBlocks render a Markdown subset; these would make links or formatting. */
function mdEscape(text: string): string {
  return text.replace(/([\\`*_[\]()])/g, '\\$1')
}
