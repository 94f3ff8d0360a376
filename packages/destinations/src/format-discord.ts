import type { FormatOptions, HttpRequestSpec } from './http-request.ts'
import { linkUrl } from './link-url.ts'
import {
  digestLine,
  factsOf,
  isTest,
  messageTitle,
  taskLabel,
  worstOutcome,
  type Outcome,
} from './notice-text.ts'
import { truncate } from './truncate.ts'
import type { WebhookNotice } from './webhook-notice.ts'

/**
 * Discord's documented limits (discord.com/developers/docs/resources/message#embed-object-embed-limits):
 * content 2,000; title 256; description 4,096; 25 fields, name 256, value 1,024; footer 2,048;
 * and 6,000 characters over all embeds of a message. Over any of them Discord answers 400.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const

const COLOURS: Record<Outcome, number> = { failure: 0xd1242f, success: 0x1a7f37, neutral: 0x6e7781 }

export interface DiscordField {
  name: string
  value: string
  inline?: boolean
}

export interface DiscordEmbed {
  title: string
  description?: string
  url?: string
  color: number
  fields: DiscordField[]
  footer: { text: string }
  timestamp?: string
}

/**
 * A Discord execute-webhook body (discord.com/developers/docs/resources/webhook#execute-webhook):
 * one embed (title, colour by outcome, fields) and a short `content` for push previews; mentions
 * are switched off (`allowed_mentions.parse: []`) so text from a payload cannot ping anyone.
 * Discord answers 204 (200 with `?wait=true`).
 */
export function formatDiscord(
  url: string,
  notices: readonly WebhookNotice[],
  _options: FormatOptions
): HttpRequestSpec {
  const title = messageTitle(notices)
  const embed = notices.length === 1 ? noticeEmbed(notices[0]!) : digestEmbed(notices)
  const body = {
    content: truncate(title, DISCORD_LIMITS.content),
    embeds: [fitEmbed(embed)],
    allowed_mentions: { parse: [] },
  }
  return {
    url,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  }
}

function noticeEmbed(notice: WebhookNotice): DiscordEmbed {
  const fields: DiscordField[] = factsOf(notice).map(({ label, value }) => ({
    name: label,
    value,
    inline: label !== 'Took',
  }))
  if (notice.failedTasks.length > 0) {
    fields.push({
      name: 'Failed tasks',
      value: notice.failedTasks
        .map((task) =>
          task.logUrl
            ? `[${mdEscape(taskLabel(task))}](${linkUrl(task.logUrl)})`
            : mdEscape(taskLabel(task))
        )
        .join('\n'),
    })
  }
  return {
    title: messageTitle([notice]),
    ...(isTest(notice) ? { description: 'Test event (liveMode: false)' } : {}),
    ...(notice.inspectorUrl ? { url: notice.inspectorUrl } : {}),
    color: COLOURS[worstOutcome([notice])],
    fields,
    footer: { text: footerOf(notice) },
    ...(notice.receivedAt ? { timestamp: notice.receivedAt } : {}),
  }
}

function digestEmbed(notices: readonly WebhookNotice[]): DiscordEmbed {
  return {
    title: messageTitle(notices),
    color: COLOURS[worstOutcome(notices)],
    fields: notices.map((notice) => ({
      name: digestLine(notice),
      value: [
        notice.jobId ?? notice.orderId ?? notice.event ?? 'webhook',
        notice.inspectorUrl ? `[inspector](${linkUrl(notice.inspectorUrl)})` : null,
      ]
        .filter((part) => part !== null)
        .join(' · '),
    })),
    footer: { text: `up42-webhooks · ${notices.length} webhooks` },
  }
}

/**
 * `embed` within DISCORD_LIMITS: every text cut to its limit, then fields dropped from the end
 * (the last kept one saying how many were left out) until there are at most 25 and the whole
 * embed counts at most 6,000 characters.
 */
export function fitEmbed(embed: DiscordEmbed): DiscordEmbed {
  const fit: DiscordEmbed = {
    ...embed,
    title: truncate(embed.title, DISCORD_LIMITS.title),
    ...(embed.description === undefined
      ? {}
      : { description: truncate(embed.description, DISCORD_LIMITS.description) }),
    footer: { text: truncate(embed.footer.text, DISCORD_LIMITS.footer) },
    fields: embed.fields.map((field) => ({
      ...field,
      name: truncate(field.name || '-', DISCORD_LIMITS.fieldName),
      value: truncate(field.value || '-', DISCORD_LIMITS.fieldValue),
    })),
  }
  const all = fit.fields
  let kept = Math.min(all.length, DISCORD_LIMITS.fields)
  for (;;) {
    const fields = all.slice(0, kept)
    const left = all.length - kept
    if (left > 0) {
      fields[fields.length - 1] = { name: 'More', value: `… and ${left + 1} more` }
    }
    const candidate = { ...fit, fields }
    if (embedLength(candidate) <= DISCORD_LIMITS.total) return candidate
    if (kept <= 1) return shortenTexts(candidate)
    kept -= 1
  }
}

/** The last resort when one field is still too many: description, then footer, made shorter. */
function shortenTexts(embed: DiscordEmbed): DiscordEmbed {
  const over = embedLength(embed) - DISCORD_LIMITS.total
  const description = embed.description ?? ''
  const shorter = truncate(description, Math.max(0, description.length - over))
  const next = { ...embed, ...(embed.description === undefined ? {} : { description: shorter }) }
  const still = embedLength(next) - DISCORD_LIMITS.total
  if (still <= 0) return next
  const footer = embed.footer.text
  return { ...next, footer: { text: truncate(footer, Math.max(1, footer.length - still)) } }
}

/** The characters Discord counts towards the 6,000: title, description, field names and values, footer. */
export function embedLength(embed: DiscordEmbed): number {
  return (
    embed.title.length +
    (embed.description?.length ?? 0) +
    embed.footer.text.length +
    embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  )
}

function footerOf(notice: WebhookNotice): string {
  return ['up42-webhooks', notice.messageId ? `message ${notice.messageId}` : null]
    .filter((part) => part !== null)
    .join(' · ')
}

/** Markdown characters that would turn a task name into a link or formatting. */
function mdEscape(text: string): string {
  return text.replace(/([\\`*_~|[\]()<>#@])/g, '\\$1')
}
