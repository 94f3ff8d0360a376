import { api, messageOf } from './api.js'
import { modeBadge, statusBadge, verdictBadge, verdictText } from './badges.js'
import { toCurl } from './curl.js'
import { bytes, copyText, fullTime, h, relativeTime, shortTime } from './dom.js'
import { jsonBlock, prettyJson } from './json-view.js'

export const TABS = ['body', 'raw', 'headers', 'timeline', 'replay', 'deliveries']
/** @type {Record<string, string>} */
const TAB_LABELS = {
  body: 'Body',
  raw: 'Raw',
  headers: 'Headers',
  timeline: 'Timeline',
  replay: 'Replay',
  deliveries: 'Deliveries',
}

/**
 * @typedef {import('./api.js').WebhookRecord} WebhookRecord
 * @typedef {import('./api.js').TimelineEntry} TimelineEntry
 * @typedef {{ tab: string, config: import('./page-config.js').PageConfig,
 *             onTab: (tab: string) => void, onSelect: (id: number) => void,
 *             toast: (text: string, tone?: string) => void }} Ctx
 */

/** @param {string} label @param {() => string} getText @param {Ctx} ctx */
function copyButton(label, getText, ctx) {
  return h(
    'button',
    {
      type: 'button',
      class: 'btn small',
      onclick: async () => ctx.toast((await copyText(getText())) ? 'Copied' : 'Copy failed', 'ok'),
    },
    label
  )
}

/** @param {WebhookRecord} record @param {Ctx} ctx */
export function renderDetail(record, ctx) {
  const ref = record.jobId ?? record.orderId
  const refKind = record.jobId ? 'job' : record.orderId ? 'order' : null
  const header = h(
    'header',
    { class: 'detail-head' },
    h(
      'div',
      { class: 'detail-title' },
      h(
        'h2',
        null,
        h('span', { class: 'muted' }, `#${record.id}`),
        ' ',
        record.event ?? 'unknown event'
      ),
      h(
        'div',
        { class: 'badges' },
        statusBadge(record.status, ctx.config.terminalStatuses.has(record.status ?? '')),
        modeBadge(record.liveMode),
        verdictBadge(record.verdict, ctx.config.verdicts)
      )
    ),
    h(
      'dl',
      { class: 'facts' },
      fact(
        'Received',
        h(
          'time',
          { datetime: record.receivedAt, title: record.receivedAt },
          fullTime(record.receivedAt)
        ),
        h('span', { class: 'muted' }, relativeTime(record.receivedAt))
      ),
      fact(
        'Deliveries',
        h('span', { id: 'detail-deliveries' }, deliveriesText(record.deliveryCount))
      ),
      fact('Signature', verdictText(record.verdict, ctx.config.verdicts)),
      fact(refKind === 'order' ? 'Order id' : 'Job id', h('code', null, ref ?? '—')),
      fact('Message id', h('code', null, record.messageId ?? '—')),
      fact('Size', bytes(record.size ?? 0)),
      record.remoteAddress ? fact('From', record.remoteAddress) : null
    ),
    h(
      'div',
      { class: 'detail-actions' },
      copyButton(
        'Copy as curl',
        () =>
          toCurl(
            record,
            ctx.config.replayUrl || new URL('receive-webhooks', location.href).href,
            ctx.config.hopByHopHeaders
          ),
        ctx
      ),
      h(
        'a',
        {
          class: 'btn small',
          href: `api/webhooks/${record.id}`,
          target: '_blank',
          rel: 'noopener',
        },
        'JSON'
      )
    )
  )

  const tablist = h('div', {
    class: 'tabs',
    role: 'tablist',
    'aria-label': 'Detail sections',
    /** @param {KeyboardEvent} event */
    onkeydown: (event) => {
      // WAI-ARIA tabs: arrow keys move between tabs
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0
      if (!step) return
      event.preventDefault()
      ctx.onTab(TABS[(TABS.indexOf(ctx.tab) + step + TABS.length) % TABS.length] ?? 'body')
    },
  })
  const panel = h('div', {
    class: 'tab-panel',
    role: 'tabpanel',
    id: 'detail-panel',
    tabindex: '0',
  })
  for (const tab of TABS) {
    const selected = tab === ctx.tab
    tablist.append(
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${tab}`,
          class: 'tab',
          'aria-selected': String(selected),
          'aria-controls': 'detail-panel',
          tabindex: selected ? '0' : '-1',
          onclick: () => ctx.onTab(tab),
        },
        TAB_LABELS[tab]
      )
    )
  }
  panel.setAttribute('aria-labelledby', `tab-${ctx.tab}`)
  renderPanel(panel, record, ctx)
  return h(
    'article',
    { class: 'detail-inner', 'aria-label': `Webhook ${record.id}` },
    header,
    tablist,
    panel
  )
}

/** @param {number} count */
export function deliveriesText(count) {
  return count > 1 ? `${count} (duplicates of one message)` : '1'
}

/** @param {string} label @param {...(Node | string | null)} value */
function fact(label, ...value) {
  return h('div', null, h('dt', null, label), h('dd', null, ...value))
}

/** @param {HTMLElement} panel @param {WebhookRecord} record @param {Ctx} ctx */
function renderPanel(panel, record, ctx) {
  switch (ctx.tab) {
    case 'raw':
      panel.append(
        h(
          'div',
          { class: 'panel-bar' },
          h('span', { class: 'muted' }, `${bytes(record.size ?? 0)} exactly as received`),
          copyButton('Copy raw', () => record.body, ctx)
        ),
        h('pre', { class: 'code raw' }, h('code', null, record.body))
      )
      return
    case 'headers':
      panel.append(
        h(
          'div',
          { class: 'panel-bar' },
          h(
            'span',
            { class: 'muted' },
            `${Object.keys(record.headers).length} headers (credentials such as authorization, cookies and API keys are never stored or shown)`
          )
        ),
        h(
          'table',
          { class: 'kv' },
          h(
            'tbody',
            null,
            ...Object.entries(record.headers).map(([k, v]) =>
              h('tr', null, h('th', { scope: 'row' }, k), h('td', null, v))
            )
          )
        )
      )
      return
    case 'timeline':
      renderTimeline(panel, record, ctx)
      return
    case 'replay':
      renderReplay(panel, record, ctx)
      return
    case 'deliveries':
      void renderDeliveries(panel, record, ctx)
      return
    default: {
      const pretty = prettyJson(record.body)
      panel.append(
        h(
          'div',
          { class: 'panel-bar' },
          h('span', { class: 'muted' }, pretty ? 'Pretty-printed JSON' : 'Body is not JSON'),
          copyButton('Copy JSON', () => pretty ?? record.body, ctx)
        ),
        pretty ? jsonBlock(pretty) : h('pre', { class: 'code' }, record.body)
      )
    }
  }
}

/** @param {HTMLElement} panel @param {WebhookRecord} record @param {Ctx} ctx */
async function renderTimeline(panel, record, ctx) {
  const key = record.jobId ?? record.orderId
  if (!key) {
    panel.append(
      h('p', { class: 'empty' }, 'This webhook has no job or order id, so it has no timeline.')
    )
    return
  }
  panel.append(h('p', { class: 'muted' }, 'Loading timeline…'))
  const list = h('ol', { class: 'timeline', 'aria-label': `Timeline of ${key}` })
  const summary = h('span', null)
  const more = h(
    'button',
    { type: 'button', class: 'btn small tl-more', hidden: true },
    'Load more'
  )
  let shown = 0
  let flagged = 0
  /** @type {TimelineEntry | null} */
  let previous = null
  /** @type {string | null} */
  let nextCursor = null

  const describe = () =>
    summary.replaceChildren(
      `${record.jobId ? 'Job' : 'Order'} `,
      h('code', null, key),
      ` · ${shown}${nextCursor ? '+' : ''} deliveries`,
      // replaceChildren, unlike h(), would print a null as the text "null"
      ...(flagged ? [h('span', { class: 'warn-text' }, ` · ${flagged} out of order`)] : [])
    )

  // The server sends pages of summaries; each page's flags already account for the pages
  // before it (its cursor carries that), so pages are simply appended.
  /** @param {string | null} cursor */
  const load = async (cursor) => {
    const page = await api.timeline(key, cursor)
    for (const entry of page.entries) {
      list.append(timelineItem(entry, previous, record, ctx))
      if (entry.flags.length) flagged++
      previous = entry
    }
    shown += page.entries.length
    nextCursor = page.nextCursor ?? null
    more.hidden = !nextCursor
    describe()
  }

  more.onclick = async () => {
    more.disabled = true
    try {
      await load(nextCursor)
    } catch (error) {
      ctx.toast(`Timeline failed: ${messageOf(error)}`, 'error')
    } finally {
      more.disabled = false
    }
  }

  try {
    await load(null)
    panel.replaceChildren(
      h(
        'div',
        { class: 'panel-bar' },
        summary,
        h('span', { class: 'muted small' }, 'in arrival order · sent = envelope time')
      ),
      list,
      more
    )
  } catch (error) {
    panel.replaceChildren(h('p', { class: 'error' }, `Timeline failed: ${messageOf(error)}`))
  }
}

/**
 * @param {TimelineEntry} entry @param {TimelineEntry | null} previous
 * @param {WebhookRecord} record @param {Ctx} ctx
 */
function timelineItem(entry, previous, record, ctx) {
  const delta = previous
    ? deltaText(Date.parse(entry.receivedAt) - Date.parse(previous.receivedAt))
    : ''
  return h(
    'li',
    {
      class: `tl-item${entry.terminal ? ' terminal' : ''}${entry.flags.length ? ' flagged' : ''}${entry.id === record.id ? ' current' : ''}`,
    },
    h('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
    h(
      'button',
      {
        type: 'button',
        class: 'tl-main',
        onclick: () => ctx.onSelect(entry.id),
        'aria-current': entry.id === record.id ? 'true' : null,
      },
      statusBadge(entry.status, entry.terminal),
      h('span', { class: 'tl-time' }, shortTime(entry.receivedAt)),
      delta ? h('span', { class: 'tl-delta muted' }, `+${delta}`) : null,
      h('span', { class: 'muted' }, `#${entry.id}`),
      entry.liveMode === false ? h('span', { class: 'badge test' }, 'test') : null,
      entry.deliveryCount > 1 ? h('span', { class: 'muted' }, `×${entry.deliveryCount}`) : null,
      entry.terminal ? h('span', { class: 'tl-final' }, 'terminal') : null,
      entry.timestamp
        ? h(
            'span',
            { class: 'tl-sent muted', title: `envelope timestamp ${entry.timestamp}` },
            `sent ${shortTime(entry.timestamp)}`
          )
        : null
    ),
    ...entry.flags.map((flag) =>
      h('div', { class: 'tl-flag', role: 'note' }, '⚠ ', FLAG_TEXT[flag] ?? flag)
    )
  )
}

/** @type {Record<string, string>} */
const FLAG_TEXT = {
  'after-terminal': 'arrived after a terminal status',
  'timestamp-earlier': 'sent earlier than the previous delivery (out of order)',
}

/** @param {number} ms */
function deltaText(ms) {
  if (!Number.isFinite(ms)) return ''
  if (ms < 1000) return `${ms} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`
  return `${(ms / 3_600_000).toFixed(1)} h`
}

/** @param {HTMLElement} panel @param {WebhookRecord} record @param {Ctx} ctx */
function renderReplay(panel, record, ctx) {
  const { config } = ctx
  const modes = config.replayModes
  const url = h('input', {
    type: 'url',
    name: 'url',
    id: 'replay-url',
    placeholder: config.replayUrl || 'http://127.0.0.1:8080/webhooks',
    value: config.replayUrl || '',
    required: !config.replayUrl,
    autocomplete: 'url',
  })
  /** @param {string} value @param {string} label @param {string} hint @param {boolean} disabled */
  const radio = (value, label, hint, disabled) =>
    h(
      'label',
      { class: `radio${disabled ? ' disabled' : ''}` },
      h('input', {
        type: 'radio',
        name: 'mode',
        value,
        checked: value === (config.canResign ? modes.resign : modes.raw),
        disabled,
      }),
      h('span', null, h('strong', null, label), h('small', { class: 'muted' }, hint))
    )
  const status = h('p', { class: 'replay-status', role: 'status', 'aria-live': 'polite' })
  const attempts = h('div', { class: 'attempts' })
  const send = h('button', { type: 'submit', class: 'btn primary' }, 'Send replay')
  const form = h(
    'form',
    {
      class: 'replay-form',
      'aria-label': 'Replay this webhook',
      /** @param {SubmitEvent} event */
      onsubmit: async (event) => {
        event.preventDefault()
        const mode =
          /** @type {HTMLInputElement} */ (form.querySelector('input[name=mode]:checked'))?.value ??
          modes.raw
        send.disabled = true
        status.textContent = 'Sending…'
        try {
          const typed = url.value.trim()
          const { attempt } = await api.replay(record.id, {
            // the configured REPLAY_URL is sent by the server, with the user:password the page never sees
            url: typed && typed !== config.replayUrl ? typed : undefined,
            mode,
          })
          status.textContent = attempt.error
            ? `Failed: ${attempt.error}`
            : `Target answered ${attempt.status} in ${attempt.latencyMs} ms`
          status.className = `replay-status ${attempt.error || (attempt.status ?? 0) >= 300 ? 'error' : 'ok'}`
          await loadAttempts(attempts, record.id)
        } catch (error) {
          status.textContent = messageOf(error)
          status.className = 'replay-status error'
        } finally {
          send.disabled = false
        }
      },
    },
    h('label', { class: 'field', for: 'replay-url' }, h('span', null, 'Target URL'), url),
    h(
      'fieldset',
      { class: 'modes' },
      h('legend', null, 'Mode'),
      radio(
        modes.resign,
        'Re-sign',
        config.canResign
          ? 'fresh created/date, signed with UP42_WEBHOOK_SECRET — passes verification'
          : 'needs UP42_WEBHOOK_SECRET on the receiver',
        !config.canResign
      ),
      radio(
        modes.raw,
        'Raw',
        'stored bytes and headers, unchanged (an old signature will be stale)',
        false
      )
    ),
    h('div', { class: 'form-row' }, send, status)
  )
  panel.append(
    form,
    h('h3', null, 'Attempts ', h('span', { class: 'muted small' }, 'newest first')),
    attempts
  )
  loadAttempts(attempts, record.id)
}

/** @param {HTMLElement} container @param {number} id */
async function loadAttempts(container, id) {
  try {
    const { items } = await api.attempts(id)
    if (!items.length) {
      container.replaceChildren(h('p', { class: 'empty' }, 'No replay yet.'))
      return
    }
    container.replaceChildren(
      h(
        'table',
        { class: 'grid', 'aria-label': 'Replay attempts' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ...['When', 'Mode', 'Target', 'Result', 'Latency', 'Response'].map((t) =>
              h('th', { scope: 'col' }, t)
            )
          )
        ),
        h(
          'tbody',
          null,
          ...[...items]
            .reverse()
            .map((a) =>
              h(
                'tr',
                { class: 'attempt' },
                h('td', null, shortTime(a.at)),
                h('td', null, a.mode),
                h('td', { class: 'ellipsis', title: a.url }, a.url),
                h(
                  'td',
                  null,
                  a.error
                    ? h('span', { class: 'badge bad' }, 'error')
                    : h(
                        'span',
                        { class: `badge ${(a.status ?? 0) < 300 ? 'good' : 'bad'}` },
                        String(a.status)
                      )
                ),
                h('td', { class: 'num' }, `${a.latencyMs} ms`),
                h(
                  'td',
                  { class: 'ellipsis mono', title: a.error ?? a.responseExcerpt ?? '' },
                  a.error ?? a.responseExcerpt ?? ''
                )
              )
            )
        )
      )
    )
  } catch (error) {
    container.replaceChildren(
      h('p', { class: 'error' }, `Could not load attempts: ${messageOf(error)}`)
    )
  }
}

/**
 * Where this webhook went: each notification and `--forward-to` delivery with its state,
 * attempts and last answer, and a retry button (the dispatcher sends a retried one at once).
 * @param {HTMLElement} panel @param {WebhookRecord} record @param {Ctx} ctx
 */
async function renderDeliveries(panel, record, ctx) {
  const container = h('div', { id: 'deliveries' }, h('p', { class: 'muted' }, 'Loading…'))
  panel.append(
    h(
      'div',
      { class: 'panel-bar' },
      h(
        'span',
        { class: 'muted' },
        'Notifications and --forward-to deliveries of this webhook (secrets in URLs are masked)'
      )
    ),
    container
  )
  try {
    const { items } = await api.deliveries(record.id)
    if (!items.length) {
      container.replaceChildren(
        h('p', { class: 'empty' }, 'No deliveries: no destination matched, or none is configured.')
      )
      return
    }
    container.replaceChildren(
      h(
        'table',
        { class: 'grid', 'aria-label': 'Deliveries' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ...['Destination', 'State', 'Attempts', 'Last answer', 'When', ''].map((t) =>
              h('th', { scope: 'col' }, t)
            )
          )
        ),
        h('tbody', null, ...[...items].reverse().map((d) => deliveryRow(d, ctx)))
      )
    )
  } catch (error) {
    container.replaceChildren(
      h('p', { class: 'error' }, `Could not load deliveries: ${messageOf(error)}`)
    )
  }
}

const STATE_TONES = /** @type {Record<string, string>} */ ({
  delivered: 'good',
  failed: 'bad',
  pending: 'warn',
})

/** @param {import('./api.js').Delivery} d @param {Ctx} ctx */
function deliveryRow(d, ctx) {
  const answer =
    d.lastStatus !== null
      ? `HTTP ${d.lastStatus}${d.lastResponseExcerpt ? ` ${d.lastResponseExcerpt}` : ''}`
      : (d.lastError ?? (d.attempts === 0 ? 'not tried yet' : ''))
  // an error that only restates the status ("HTTP 400 Bad Request") adds nothing to the answer
  const adds = d.lastError !== null && !d.lastError.startsWith(`HTTP ${d.lastStatus}`)
  const detail = d.lastStatus !== null && adds ? `${answer} · ${d.lastError}` : answer
  const when =
    d.state === 'pending' && d.nextAttemptAt
      ? `next ${shortTime(d.nextAttemptAt)}`
      : d.lastAttemptAt
        ? shortTime(d.lastAttemptAt)
        : ''
  const retry = h(
    'button',
    {
      type: 'button',
      class: 'btn small',
      'data-retry': String(d.id),
      onclick: async () => {
        retry.disabled = true
        try {
          await api.retryDelivery(d.id)
          ctx.toast(`Retrying ${d.destination}`, 'ok')
        } catch (error) {
          ctx.toast(`Retry failed: ${messageOf(error)}`, 'error')
          retry.disabled = false
        }
      },
    },
    'Retry'
  )
  return h(
    'tr',
    { class: 'delivery', 'data-delivery': String(d.id), 'data-state': d.state },
    h(
      'td',
      { class: 'ellipsis', title: d.destinationDisplay ?? d.destination },
      h('strong', null, d.destination),
      ' ',
      h('span', { class: 'muted small' }, `${d.kind} · ${d.destinationDisplay ?? ''}`)
    ),
    h('td', null, h('span', { class: `badge ${STATE_TONES[d.state] ?? ''}` }, d.state)),
    h('td', { class: 'num' }, String(d.attempts)),
    h('td', { class: 'ellipsis mono', title: detail }, detail),
    h('td', null, when),
    h('td', null, retry)
  )
}
