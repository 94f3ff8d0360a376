import { h } from './dom.js'

// Mirrors TERMINAL_STATUSES of @up42-webhooks/shared (a test keeps them equal).
export const TERMINAL_STATUSES = [
  'ERROR',
  'FAILED',
  'CANCELLED',
  'SUCCEEDED',
  'FULFILLED',
  'FAILED_PERMANENTLY',
]
const GOOD = ['SUCCEEDED', 'FULFILLED']
const BAD = ['ERROR', 'FAILED', 'FAILED_PERMANENTLY']

export function statusBadge(status) {
  if (!status) return h('span', { class: 'badge muted' }, '—')
  const tone = GOOD.includes(status)
    ? 'good'
    : BAD.includes(status)
      ? 'bad'
      : status === 'CANCELLED'
        ? 'warn'
        : 'info'
  const terminal = TERMINAL_STATUSES.includes(status)
  return h(
    'span',
    {
      class: `badge ${tone}${terminal ? ' terminal' : ''}`,
      title: terminal ? 'terminal status' : null,
    },
    status
  )
}

export function verdictBadge(verdict) {
  if (verdict === 'verified')
    return h('span', { class: 'badge good', title: 'signature verified' }, '✓ verified')
  if (verdict?.startsWith('invalid')) {
    const code = verdict.slice('invalid:'.length) || 'INVALID'
    return h('span', { class: 'badge bad', title: `signature invalid: ${code}` }, `✗ ${code}`)
  }
  if (verdict === 'unsigned')
    return h('span', { class: 'badge warn', title: 'no signature headers' }, 'unsigned')
  return h(
    'span',
    { class: 'badge muted', title: 'no UP42_WEBHOOK_SECRET configured' },
    'not checked'
  )
}

export function modeBadge(liveMode) {
  if (liveMode === true) return h('span', { class: 'badge live' }, 'live')
  if (liveMode === false) return h('span', { class: 'badge test' }, 'test')
  return h('span', { class: 'badge muted' }, '?')
}
