import { api, ApiError, filtersFrom, matches, messageOf, queryString } from './api.js'
import { modeBadge, statusBadge, verdictBadge } from './badges.js'
import { deliveriesText, renderDetail, TABS } from './detail.js'
import { $, h, shortTime } from './dom.js'
import { readPageConfig } from './page-config.js'
import { VirtualList } from './virtual-list.js'

/**
 * @typedef {import('./api.js').Summary} Summary
 * @typedef {Summary & { fresh?: boolean }} Item a summary in the list
 */

const ROW_HEIGHT = 54
const PAGE_SIZE = 200

const config = readPageConfig(document.body)

const initial = new URLSearchParams(location.search)
const state = {
  filters: filtersFrom(initial),
  /** @type {Item[]} */
  items: [],
  /** @type {Set<number>} */
  ids: new Set(),
  nextCursor: /** @type {string | null} */ (null),
  loading: false,
  generation: 0,
  selectedId: Number(initial.get('id')) || null,
  tab: TABS.includes(initial.get('tab') ?? '')
    ? /** @type {string} */ (initial.get('tab'))
    : 'body',
  total: 0,
}

const form = /** @type {HTMLFormElement} */ ($('#filters'))
const viewport = $('#list')
const detail = $('#detail')
const countEl = $('#count')
const failedBadge = /** @type {HTMLAnchorElement} */ ($('#failed-badge'))
const liveEl = $('#live')
const exportLink = /** @type {HTMLAnchorElement} */ ($('#export'))

const list = new VirtualList(viewport, {
  rowHeight: ROW_HEIGHT,
  renderRow,
  onNearEnd: () => void loadMore(),
})

/** @param {Item} item @param {number} index */
function renderRow(item, index) {
  const ref = item.jobId
    ? `job ${item.jobId}`
    : item.orderId
      ? `order ${item.orderId}`
      : 'no job or order id'
  const selected = item.id === state.selectedId
  return h(
    'div',
    {
      class: `row${selected ? ' selected' : ''}${item.fresh ? ' fresh' : ''}`,
      role: 'option',
      id: `row-${item.id}`,
      'aria-selected': String(selected),
      'aria-posinset': index + 1,
      'aria-setsize': state.nextCursor ? -1 : state.items.length,
      'data-id': item.id,
    },
    h(
      'span',
      { class: 'c-when' },
      h('span', { class: 'c-id' }, `#${item.id}`),
      h('span', { class: 'c-time', title: item.receivedAt }, shortTime(item.receivedAt))
    ),
    h(
      'span',
      { class: 'c-what' },
      h('span', { class: 'c-event' }, item.event ?? 'unknown event', modeBadge(item.liveMode)),
      h('span', { class: 'c-ref', title: ref }, ref)
    ),
    h(
      'span',
      { class: 'c-status' },
      statusBadge(item.status, config.terminalStatuses.has(item.status ?? ''))
    ),
    h(
      'span',
      { class: 'c-verdict' },
      verdictBadge(item.verdict, true),
      item.deliveryCount > 1
        ? h(
            'span',
            { class: 'dup', title: `${item.deliveryCount} deliveries` },
            `×${item.deliveryCount}`
          )
        : null
    )
  )
}

// ---- URL state: filters, selection and tab are all bookmarkable -------------------------------

function syncUrl() {
  const url = `${location.pathname}${queryString(state.filters, { id: state.selectedId, tab: state.tab === 'body' ? null : state.tab })}`
  history.replaceState(null, '', url)
  exportLink.href = `api/export${queryString(state.filters)}`
}

function fillForm() {
  for (const el of form.elements) {
    if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement)
      el.value = state.filters[el.name] ?? ''
  }
}

// ---- loading ------------------------------------------------------------------------------------

async function reload() {
  const generation = ++state.generation
  state.items = []
  state.ids = new Set()
  state.nextCursor = null
  state.loading = false
  viewport.scrollTop = 0
  list.setItems(state.items)
  setFooter('Loading…')
  await loadMore(true, generation)
}

async function loadMore(first = false, generation = state.generation) {
  if (state.loading || (!first && !state.nextCursor)) return
  state.loading = true
  try {
    const page = await api.list(state.filters, first ? null : state.nextCursor, PAGE_SIZE)
    if (generation !== state.generation) return
    for (const item of page.items) {
      if (state.ids.has(item.id)) continue
      state.ids.add(item.id)
      state.items.push(item)
    }
    state.nextCursor = page.nextCursor
    list.setItems(state.items)
    updateFooter()
  } catch (error) {
    if (generation === state.generation) setFooter(`Could not load: ${messageOf(error)}`, true)
  } finally {
    if (generation === state.generation) state.loading = false
  }
}

function updateFooter() {
  const filtered = Object.keys(state.filters).length > 0
  const shown = state.items.length.toLocaleString()
  if (!state.items.length)
    setFooter(
      filtered
        ? 'No webhook matches these filters.'
        : 'No webhook yet — POST one to /receive-webhooks.'
    )
  else
    setFooter(
      `${shown}${state.nextCursor ? '+' : ''} ${filtered ? 'matching' : 'shown'}${state.nextCursor ? ' · scroll for more' : ''}`
    )
  const empty = $('#list-empty')
  empty.hidden = state.items.length > 0
  empty.textContent = filtered
    ? 'No webhook matches these filters.'
    : 'Waiting for webhooks… POST one to /receive-webhooks and it appears here.'
}

/** @param {string} text */
function setFooter(text, error = false) {
  const foot = $('#list-foot')
  foot.textContent = text
  foot.classList.toggle('error', error)
}

async function refreshCount() {
  try {
    state.total = (await api.stats()).total
    renderCount()
  } catch {
    // The count is decoration; the list shows real errors.
  }
}

/** The header badge: shown while any delivery to a destination has failed. */
async function refreshFailed() {
  try {
    const { counts } = await api.destinations()
    failedBadge.hidden = counts.failed === 0
    failedBadge.textContent = `${counts.failed} failed deliver${counts.failed === 1 ? 'y' : 'ies'}`
  } catch {
    // decoration, as the count
  }
}

/** @param {import('./api.js').Delivery} delivery */
function onDeliveryState(delivery) {
  void refreshFailed()
  if (delivery.webhookId === state.selectedId && state.tab === 'deliveries') void showDetail()
}

function renderCount() {
  countEl.textContent = `${state.total.toLocaleString()} stored`
}

// ---- selection and detail -------------------------------------------------------------------------

let detailToken = 0

/** @param {number} id */
async function select(id, { scroll = false } = {}) {
  state.selectedId = id
  syncUrl()
  list.schedule()
  if (scroll) {
    const index = state.items.findIndex((item) => item.id === id)
    if (index >= 0) list.scrollToIndex(index)
  }
  viewport.setAttribute('aria-activedescendant', `row-${id}`)
  await showDetail()
}

async function showDetail() {
  const token = ++detailToken
  const id = state.selectedId
  if (!id) {
    detail.replaceChildren(emptyDetail())
    return
  }
  try {
    const record = await api.get(id)
    if (token !== detailToken) return
    detail.replaceChildren(
      renderDetail(record, {
        tab: state.tab,
        config,
        onTab: (tab) => {
          state.tab = tab
          syncUrl()
          showDetail().then(() => document.getElementById(`tab-${tab}`)?.focus())
        },
        onSelect: (other) => void select(other, { scroll: true }),
        toast,
      })
    )
  } catch (error) {
    if (token !== detailToken) return
    detail.replaceChildren(
      h(
        'p',
        { class: 'empty error' },
        error instanceof ApiError && error.status === 404
          ? `Webhook #${id} no longer exists.`
          : `Could not load #${id}: ${messageOf(error)}`
      )
    )
  }
}

function emptyDetail() {
  return h(
    'div',
    { class: 'empty-detail' },
    h('h2', null, 'Select a webhook'),
    h(
      'p',
      { class: 'muted' },
      'Its body, raw bytes, headers, signature verdict, job/order timeline and replay appear here.'
    ),
    h(
      'p',
      { class: 'muted' },
      'Keys: ',
      h('kbd', null, '↑'),
      ' ',
      h('kbd', null, '↓'),
      ' move · ',
      h('kbd', null, '/'),
      ' search'
    )
  )
}

// the width below which style.css stacks the detail under the list
const stacked = window.matchMedia('(max-width: 980px)')

viewport.addEventListener('click', (event) => {
  const row = /** @type {HTMLElement} */ (event.target).closest?.('.row')
  if (!(row instanceof HTMLElement)) return
  // stacked, the detail is below the list, out of sight: bring it up
  void select(Number(row.dataset.id)).then(() => {
    if (stacked.matches) detail.scrollIntoView({ block: 'start' })
  })
})

viewport.addEventListener('keydown', (event) => {
  if (
    event.key !== 'ArrowDown' &&
    event.key !== 'ArrowUp' &&
    event.key !== 'j' &&
    event.key !== 'k'
  )
    return
  event.preventDefault()
  const index = state.items.findIndex((item) => item.id === state.selectedId)
  const step = event.key === 'ArrowDown' || event.key === 'j' ? 1 : -1
  const next = state.items[Math.min(state.items.length - 1, Math.max(0, index + step))]
  if (next) void select(next.id, { scroll: true })
})

document.addEventListener('keydown', (event) => {
  const target = /** @type {HTMLElement} */ (event.target)
  if (event.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) {
    event.preventDefault()
    $('#f-q').focus()
  }
})

// ---- filters ----------------------------------------------------------------------------------------

let filterTimer = 0
function applyForm() {
  const data = new FormData(form)
  const params = new URLSearchParams()
  for (const [key, value] of data) if (typeof value === 'string') params.set(key, value)
  state.filters = filtersFrom(params)
  syncUrl()
  void reload()
}

form.addEventListener('input', (event) => {
  clearTimeout(filterTimer)
  const delay = /** @type {HTMLElement} */ (event.target).tagName === 'SELECT' ? 0 : 250
  filterTimer = window.setTimeout(applyForm, delay)
})
form.addEventListener('submit', (event) => {
  event.preventDefault()
  clearTimeout(filterTimer)
  applyForm()
})
form.addEventListener('reset', () => {
  clearTimeout(filterTimer)
  setTimeout(applyForm)
})

// ---- live stream ---------------------------------------------------------------------------------

let headTimer = 0

/** @param {Summary} summary */
function onLive(summary) {
  state.total += 1
  renderCount()
  if (state.ids.has(summary.id)) return
  if (state.filters.q) {
    // Free text is matched by the server's full-text index; ask it rather than guess.
    clearTimeout(headTimer)
    headTimer = window.setTimeout(refreshHead, 200)
    return
  }
  if (!matches(state.filters, summary)) return
  insertFresh([summary])
}

async function refreshHead() {
  const generation = state.generation
  const page = await api.list(state.filters, null, 50)
  if (generation !== state.generation) return
  insertFresh(page.items.filter((item) => !state.ids.has(item.id)))
}

/** @param {Item[]} items */
function insertFresh(items) {
  if (!items.length) return
  for (const item of items) {
    item.fresh = true
    state.ids.add(item.id)
    setTimeout(() => {
      item.fresh = false
      list.schedule()
    }, 1600)
  }
  // Live ids only grow, so new items go on top, newest first.
  items.sort((a, b) => b.id - a.id)
  state.items.unshift(...items)
  list.prepended(items.length)
  updateFooter()
}

/** @param {Summary} summary */
function onDelivery(summary) {
  const item = state.items.find((candidate) => candidate.id === summary.id)
  if (item) {
    item.deliveryCount = summary.deliveryCount
    list.schedule()
  }
  if (summary.id !== state.selectedId) return
  // A replay to a chain that ends here comes back as a delivery: the replay tab keeps its form
  // and result, so only the count is updated there.
  if (state.tab === 'replay') {
    const count = document.getElementById('detail-deliveries')
    if (count) count.textContent = deliveriesText(summary.deliveryCount)
  } else void showDetail()
}

/** @param {{ id: number }} event */
function onDeleted({ id }) {
  const index = state.items.findIndex((item) => item.id === id)
  if (index >= 0) {
    state.items.splice(index, 1)
    state.ids.delete(id)
    list.setItems(state.items)
    updateFooter()
  }
  state.total = Math.max(0, state.total - 1)
  renderCount()
  if (id === state.selectedId) void showDetail()
}

/** @param {string} mode @param {string} text */
function setLive(mode, text) {
  liveEl.dataset.state = mode
  const label = liveEl.lastElementChild
  if (label) label.textContent = text
}

function connect() {
  const source = new EventSource('api/stream')
  source.addEventListener('open', () => setLive('live', 'Live'))
  source.addEventListener('webhook', (event) =>
    onLive(JSON.parse(/** @type {MessageEvent} */ (event).data))
  )
  source.addEventListener('delivery', (event) =>
    onDelivery(JSON.parse(/** @type {MessageEvent} */ (event).data))
  )
  source.addEventListener('delivery-state', (event) =>
    onDeliveryState(JSON.parse(/** @type {MessageEvent} */ (event).data))
  )
  source.addEventListener('deleted', (event) =>
    onDeleted(JSON.parse(/** @type {MessageEvent} */ (event).data))
  )
  source.addEventListener('cleared', () => {
    void refreshCount()
    void reload()
  })
  // EventSource reconnects by itself and sends Last-Event-ID, so the server fills the gap.
  source.addEventListener('error', () =>
    setLive('offline', source.readyState === EventSource.CLOSED ? 'Disconnected' : 'Reconnecting…')
  )
}

// ---- export / import ---------------------------------------------------------------------------

const importInput = /** @type {HTMLInputElement} */ ($('#import-file'))
importInput.addEventListener('change', async () => {
  const file = importInput.files?.[0]
  if (!file) return
  try {
    // the File itself: the browser streams it, the server reads it line by line
    const result = await api.import(file)
    toast(
      `Imported ${result.imported}, ${result.duplicates} duplicate${result.duplicates === 1 ? '' : 's'}`,
      'ok'
    )
    void refreshCount()
    void reload()
  } catch (error) {
    /** @type {{ line: number, message: string }[] | undefined} */
    const errors = error instanceof ApiError ? error.body?.errors : undefined
    const lines = errors
      ?.slice(0, 3)
      .map((e) => `line ${e.line}: ${e.message}`)
      .join('; ')
    toast(`Import refused: ${lines || messageOf(error)}`, 'error')
  } finally {
    importInput.value = ''
  }
})

// ---- toasts -------------------------------------------------------------------------------------

/** @param {string} text */
function toast(text, tone = 'ok') {
  const el = h('div', { class: `toast ${tone}`, role: 'status' }, text)
  $('#toasts').append(el)
  setTimeout(() => el.remove(), 3500)
}

// ---- start ------------------------------------------------------------------------------------

fillForm()
syncUrl()
connect()
void refreshCount()
void refreshFailed()
void reload().then(() => {
  if (state.selectedId) void select(state.selectedId, { scroll: true })
})
if (!state.selectedId) detail.replaceChildren(emptyDetail())
