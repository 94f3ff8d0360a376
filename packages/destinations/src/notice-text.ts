import type { WebhookNotice } from './webhook-notice.ts'

/** How a notice ended, for colours, priorities and icons. */
export type Outcome = 'failure' | 'success' | 'neutral'

const FAILURE_STATUSES = new Set(['FAILED', 'ERROR', 'FAILED_PERMANENTLY'])
const SUCCESS_STATUSES = new Set(['SUCCEEDED', 'FULFILLED'])

export function outcomeOf(notice: WebhookNotice): Outcome {
  const status = notice.status?.toUpperCase() ?? ''
  if (FAILURE_STATUSES.has(status) || notice.failedTasks.length > 0) return 'failure'
  if (SUCCESS_STATUSES.has(status)) return 'success'
  return 'neutral'
}

/** The worst outcome of a digest: one failure makes the whole message a failure. */
export function worstOutcome(notices: readonly WebhookNotice[]): Outcome {
  const outcomes = notices.map(outcomeOf)
  if (outcomes.includes('failure')) return 'failure'
  if (outcomes.length > 0 && outcomes.every((outcome) => outcome === 'success')) return 'success'
  return 'neutral'
}

export function isTest(notice: WebhookNotice): boolean {
  return notice.liveMode === false
}

/** `job`, `order`, or the event type for others (`thing.status` → `thing.status event`). */
export function kindOf(notice: WebhookNotice): string {
  if (notice.event === 'job.status') return 'job'
  if (notice.event === 'order.status') return 'order'
  return notice.event === null ? 'webhook' : `${notice.event} event`
}

/** The job or order id, whichever the notice has. */
export function subjectId(notice: WebhookNotice): string | null {
  return notice.jobId ?? notice.orderId
}

/**
 * One line, ASCII only (it also goes into HTTP headers such as ntfy's `Title`):
 * `Job 6dbe8956 FAILED`, `[TEST] Order 86296865 FULFILLED`.
 */
export function titleOf(notice: WebhookNotice): string {
  const id = subjectId(notice)
  const kind = kindOf(notice)
  const words = [
    isTest(notice) ? '[TEST]' : null,
    kind.charAt(0).toUpperCase() + kind.slice(1),
    id === null ? null : id.slice(0, 8),
    notice.status ?? 'received',
  ]
  return asciiOnly(words.filter((word) => word !== null).join(' '))
}

/** `12 orders FULFILLED, 1 job FAILED`: counts per kind and status, most first. */
export function digestTitle(notices: readonly WebhookNotice[]): string {
  const groups = new Map<string, number>()
  for (const notice of notices) {
    const key = `${isTest(notice) ? 'test ' : ''}\u0000${kindOf(notice)}\u0000${notice.status ?? 'received'}`
    groups.set(key, (groups.get(key) ?? 0) + 1)
  }
  const parts = [...groups]
    .map(([key, count], order) => ({ key, count, order }))
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .map(({ key, count }) => {
      const [test, kind, status] = key.split('\u0000') as [string, string, string]
      return `${count} ${test}${kind}${count === 1 ? '' : 's'} ${status}`
    })
  return asciiOnly(parts.join(', '))
}

/** The title of a message about `notices`: the notice's own, or the digest's. */
export function messageTitle(notices: readonly WebhookNotice[]): string {
  return notices.length === 1 ? titleOf(notices[0]!) : digestTitle(notices)
}

/** `3m 34s`, `1h 2m`, `850ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const seconds = Math.round(ms / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  if (h > 0) return `${h}h ${m}m`
  if (m > 0) return `${m}m ${s}s`
  return `${s}s`
}

/** Label/value pairs shown by every channel (fields, facts, lines). */
export function factsOf(notice: WebhookNotice): { label: string; value: string }[] {
  const facts: { label: string; value: string }[] = []
  const id = subjectId(notice)
  const kind = kindOf(notice)
  if (id !== null) facts.push({ label: kind === 'order' ? 'Order' : 'Job', value: id })
  facts.push({ label: 'Status', value: notice.status ?? 'unknown' })
  facts.push({
    label: 'Mode',
    value: notice.liveMode === false ? 'test event' : notice.liveMode ? 'live' : 'unknown',
  })
  if (notice.durationMs !== null) {
    facts.push({
      label: 'Took',
      value: `${formatDuration(notice.durationMs)} (${notice.startedAt} → ${notice.finishedAt})`,
    })
  }
  if (notice.event !== null && kind !== 'job' && kind !== 'order') {
    facts.push({ label: 'Event', value: notice.event })
  }
  return facts
}

/** `b3a59b77 FAILED` (or the task's name). */
export function taskLabel(task: WebhookNotice['failedTasks'][number]): string {
  return `${task.name ?? task.id?.slice(0, 8) ?? 'task'} ${task.status ?? ''}`.trim()
}

/** A plain-text rendering of one notice (ntfy, desktop, Teams/Slack fallbacks). */
export function noticeText(notice: WebhookNotice): string {
  const lines = factsOf(notice).map(({ label, value }) => `${label}: ${value}`)
  if (notice.failedTasks.length > 0) {
    lines.push('Failed tasks:')
    for (const task of notice.failedTasks) {
      lines.push(`- ${taskLabel(task)}${task.logUrl ? `: ${task.logUrl}` : ''}`)
    }
  }
  if (notice.inspectorUrl !== null) lines.push(`Inspector: ${notice.inspectorUrl}`)
  return lines.join('\n')
}

/** Lines listed in a digest before "… and N more". */
export const DIGEST_LINES = 20

/** Plain text for a message about `notices`: the notice's details, or one line each. */
export function messageText(notices: readonly WebhookNotice[]): string {
  if (notices.length === 1) return noticeText(notices[0]!)
  const lines = notices.slice(0, DIGEST_LINES).map(digestLine)
  if (notices.length > DIGEST_LINES) lines.push(`… and ${notices.length - DIGEST_LINES} more`)
  return lines.join('\n')
}

/** `Job 6dbe8956 FAILED (3m 34s), 1 failed task`, for digests. */
export function digestLine(notice: WebhookNotice): string {
  const extra = [
    notice.durationMs === null ? null : formatDuration(notice.durationMs),
    notice.failedTasks.length === 0
      ? null
      : `${notice.failedTasks.length} failed task${notice.failedTasks.length === 1 ? '' : 's'}`,
  ].filter((part) => part !== null)
  return `${titleOf(notice)}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`
}

function asciiOnly(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?')
}
