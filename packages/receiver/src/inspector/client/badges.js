import { h } from './dom.js'

const GOOD = ['SUCCEEDED', 'FULFILLED']
const BAD = ['ERROR', 'FAILED', 'FAILED_PERMANENTLY']

/**
 * @param {string | null} status
 * @param {boolean} terminal whether the server counts it terminal (the page's config, or a
 *   timeline entry's own flag)
 */
export function statusBadge(status, terminal) {
  if (!status) return h('span', { class: 'badge muted' }, '—')
  const tone = GOOD.includes(status)
    ? 'good'
    : BAD.includes(status)
      ? 'bad'
      : status === 'CANCELLED'
        ? 'warn'
        : 'info'
  return h(
    'span',
    {
      class: `badge ${tone}${terminal ? ' terminal' : ''}`,
      title: terminal ? 'terminal status' : null,
    },
    status
  )
}

const HEADERS_ONLY_EXPLAINED =
  'The signature is valid but covers no content-digest/digest, so the body is not ' +
  'authenticated: anyone holding one earlier delivery could send any body with these headers. ' +
  'RECEIVER_REQUIRE_BODY_DIGEST=1 refuses such deliveries.'

/**
 * @param {string} verdict
 * @param {import('./page-config.js').VerdictNames} names the server's, from the page's config
 * @param {boolean} [short] compact form for list rows
 */
export function verdictBadge(verdict, names, short = false) {
  if (verdict === names.verified)
    return h(
      'span',
      { class: 'badge good', title: 'signature verified, body included (signed digest matched)' },
      '✓ verified'
    )
  if (verdict === names.headersOnly)
    return h(
      'span',
      { class: 'badge headers-only', title: HEADERS_ONLY_EXPLAINED },
      short ? '✓ headers' : '✓ verified, headers only'
    )
  if (verdict?.startsWith(names.invalid)) {
    const code = verdict.slice(names.invalid.length + 1) || 'INVALID'
    return h(
      'span',
      { class: 'badge bad', title: `signature invalid: ${code}` },
      short ? '✗ invalid' : `✗ ${code}`
    )
  }
  if (verdict === names.unsigned)
    return h('span', { class: 'badge warn', title: 'no signature headers' }, 'unsigned')
  return h(
    'span',
    { class: 'badge muted', title: 'no UP42_WEBHOOK_SECRET configured' },
    short ? 'unchecked' : 'not checked'
  )
}

/**
 * Long form of a verdict for the detail view.
 * @param {string} verdict @param {import('./page-config.js').VerdictNames} names
 */
export function verdictText(verdict, names) {
  if (verdict === names.verified) return 'verified with UP42_WEBHOOK_SECRET'
  if (verdict === names.headersOnly)
    return 'headers verified with UP42_WEBHOOK_SECRET; the body is not covered by the signature'
  if (verdict?.startsWith(names.invalid))
    return `invalid: ${verdict.slice(names.invalid.length + 1)}`
  if (verdict === names.unsigned) return 'unsigned (no signature headers)'
  return 'not checked (no UP42_WEBHOOK_SECRET on the receiver)'
}

/** @param {boolean | null} liveMode */
export function modeBadge(liveMode) {
  if (liveMode === true) return h('span', { class: 'badge live' }, 'live')
  if (liveMode === false) return h('span', { class: 'badge test' }, 'test')
  return h('span', { class: 'badge muted' }, '?')
}
