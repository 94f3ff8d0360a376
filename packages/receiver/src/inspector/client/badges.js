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

/** @param {string} verdict @param {boolean} [short] compact form for list rows */
export function verdictBadge(verdict, short = false) {
  if (verdict === 'verified')
    return h('span', { class: 'badge good', title: 'signature verified' }, '✓ verified')
  if (verdict?.startsWith('invalid')) {
    const code = verdict.slice('invalid:'.length) || 'INVALID'
    return h(
      'span',
      { class: 'badge bad', title: `signature invalid: ${code}` },
      short ? '✗ invalid' : `✗ ${code}`
    )
  }
  if (verdict === 'unsigned')
    return h('span', { class: 'badge warn', title: 'no signature headers' }, 'unsigned')
  return h(
    'span',
    { class: 'badge muted', title: 'no UP42_WEBHOOK_SECRET configured' },
    short ? 'unchecked' : 'not checked'
  )
}

/** Long form of a verdict for the detail view. */
export function verdictText(verdict) {
  if (verdict === 'verified') return 'verified with UP42_WEBHOOK_SECRET'
  if (verdict?.startsWith('invalid')) return `invalid: ${verdict.slice('invalid:'.length)}`
  if (verdict === 'unsigned') return 'unsigned (no signature headers)'
  return 'not checked (no UP42_WEBHOOK_SECRET on the receiver)'
}

export function modeBadge(liveMode) {
  if (liveMode === true) return h('span', { class: 'badge live' }, 'live')
  if (liveMode === false) return h('span', { class: 'badge test' }, 'test')
  return h('span', { class: 'badge muted' }, '?')
}
