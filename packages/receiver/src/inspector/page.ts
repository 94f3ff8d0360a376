import { TERMINAL_STATUSES } from '@up42-webhooks/shared'
import { html, raw } from 'hono/html'
import { HOP_BY_HOP_HEADERS } from '@up42-webhooks/common'
import { FILTER_KEYS } from '../query-filter.ts'
import { REPLAY_MODE } from '../replay.ts'
import { VERDICTS } from '../verdicts.ts'
import { STREAM_EVENTS } from '../webhook-events.ts'

export interface PageOptions {
  assetsVersion: string
  replayUrl: string | null
  canResign: boolean
}

const LOGO = `<svg viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="8" fill="#2f6fed"/><path d="M9 11v6a7 7 0 0 0 14 0v-6" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/><circle cx="16" cy="9" r="2.4" fill="#9ec0ff"/></svg>`
const ICON = `data:image/svg+xml,${encodeURIComponent(LOGO.replace(' aria-hidden="true"', ' xmlns="http://www.w3.org/2000/svg"'))}`

/**
 * The page shell; everything else is rendered by `client/app.js` from the JSON API. The lists
 * the page shares with the server travel as `data-*` attributes (read by `client/page-config.js`),
 * so they have one source: the server's.
 */
export function renderPage({ assetsVersion, replayUrl, canResign }: PageOptions) {
  const assets = `assets/${assetsVersion}`
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>UP42 webhooks · inspector</title>
        <link rel="icon" href="${ICON}" />
        <link rel="stylesheet" href="${assets}/style.css" />
        <link rel="modulepreload" href="${assets}/app.js" />
        <script type="module" src="${assets}/app.js"></script>
      </head>
      <body
        data-replay-url="${replayUrl ?? ''}"
        data-can-resign="${String(canResign)}"
        data-terminal-statuses="${TERMINAL_STATUSES.join(' ')}"
        data-hop-by-hop-headers="${HOP_BY_HOP_HEADERS.join(' ')}"
        data-filter-keys="${FILTER_KEYS.join(' ')}"
        data-verdicts="${JSON.stringify(VERDICTS)}"
        data-stream-events="${JSON.stringify(STREAM_EVENTS)}"
        data-replay-modes="${JSON.stringify(REPLAY_MODE)}"
      >
        <header class="topbar">
          <div class="brand">${LOGO_RAW}<span>UP42 webhooks</span><small>inspector</small></div>
          <div id="live" class="live" data-state="connecting" role="status" aria-live="polite">
            <span class="dot" aria-hidden="true"></span><span>Connecting…</span>
          </div>
          <span id="count" class="count"></span>
          <span class="spacer-flex"></span>
          <a id="export" class="btn" href="api/export" download>Export NDJSON</a>
          <label class="btn" for="import-file">Import…</label>
          <input
            id="import-file"
            class="offscreen"
            type="file"
            accept=".ndjson,.jsonl,application/x-ndjson"
          />
        </header>
        <form id="filters" class="filters" role="search" aria-label="Filter webhooks">
          <label for="f-event"
            >Event
            <select id="f-event" name="event">
              <option value="">All events</option>
              <option value="job.status">job.status</option>
              <option value="order.status">order.status</option>
            </select>
          </label>
          <label for="f-live"
            >Mode
            <select id="f-live" name="liveMode">
              <option value="">Live and test</option>
              <option value="true">Live only</option>
              <option value="false">Test only</option>
            </select>
          </label>
          <label for="f-status"
            >Status
            <input
              id="f-status"
              name="status"
              list="statuses"
              placeholder="any"
              autocomplete="off"
              spellcheck="false"
            />
          </label>
          <datalist id="statuses">
            ${STATUSES.map((s) => html`<option value="${s}"></option>`)}
          </datalist>
          <label for="f-job"
            >Job id
            <input
              id="f-job"
              name="jobId"
              placeholder="any"
              autocomplete="off"
              spellcheck="false"
            />
          </label>
          <label for="f-order"
            >Order id
            <input
              id="f-order"
              name="orderId"
              placeholder="any"
              autocomplete="off"
              spellcheck="false"
            />
          </label>
          <label for="f-q" class="grow"
            >Search
            <input
              id="f-q"
              name="q"
              type="search"
              placeholder="Free text in the body   ( / )"
              autocomplete="off"
            />
          </label>
          <button class="btn" type="reset">Clear</button>
        </form>
        <main class="split">
          <section class="list-pane" aria-label="Webhooks, newest first">
            <div class="list-head" aria-hidden="true">
              <span>Received</span><span>Event · job / order</span><span>Status</span
              ><span>Signature</span>
            </div>
            <div id="list" role="listbox" tabindex="0" aria-label="Webhooks">
              <p id="list-empty" class="list-empty" hidden></p>
            </div>
            <div id="list-foot" class="list-foot" aria-live="polite"></div>
          </section>
          <section id="detail" class="detail" aria-label="Webhook detail"></section>
        </main>
        <div id="toasts" aria-live="polite"></div>
      </body>
    </html>`
}

const LOGO_RAW = raw(LOGO)

const STATUSES = [
  'NOT_STARTED',
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'ERROR',
  'CANCELLED',
  'CANCELLING',
  'PLACED',
  'BEING_FULFILLED',
  'FULFILLED',
  'FAILED_PERMANENTLY',
]
