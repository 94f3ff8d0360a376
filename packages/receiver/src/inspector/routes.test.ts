import { execFileSync } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import { TERMINAL_STATUSES } from '@up42-webhooks/shared'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.ts'
import { FILTER_KEYS, filterFromQuery } from '../query-filter.ts'
import { REPLAY_MODE } from '../replay.ts'
import { HOP_BY_HOP_HEADERS } from '@up42-webhooks/common'
import type { WebhookStore } from '../store.ts'
import { VERDICTS } from '../verdicts.ts'
import { STREAM_EVENTS } from '../webhook-events.ts'
import { loadAssets } from './assets.ts'
// The page's own modules: plain JS, importable here because they touch the DOM only when called.
import { filtersFrom, queryString } from './client/api.js'
import { verdictText } from './client/badges.js'
import { shellQuote, toCurl } from './client/curl.js'
import { readPageConfig } from './client/page-config.js'
import { renderPage } from './page.ts'
import { useMemoryStore } from '../../test/memory-store.ts'

const AUTH = { username: 'ops', password: 'p4ss' }
const authorization = `Basic ${Buffer.from('ops:p4ss').toString('base64')}`

describe('inspector page and assets', () => {
  let store: WebhookStore
  let app: ReturnType<typeof createApp>
  useMemoryStore((opened) => {
    store = opened
    app = createApp({
      store,
      auth: AUTH,
      replayUrl: 'http://127.0.0.1:3000/hook?a="b"&c',
      secret: 's',
    })
  })

  it('Should serve the page with a strict CSP, no caching and the replay config escaped', async () => {
    const res = await app.request('/', { headers: { authorization } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await res.text()
    expect(html).toContain('data-replay-url="http://127.0.0.1:3000/hook?a=&quot;b&quot;&amp;c"')
    expect(html).toContain('data-can-resign="true"')
    const { version } = loadAssets()
    expect(html).toContain(`src="assets/${version}/app.js"`)
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1:3000)/) // nothing from a CDN
  })

  it('Should serve versioned assets as immutable, gzipped when asked, and an old version uncached', async () => {
    const { version, files } = loadAssets()
    const res = await app.request(`/assets/${version}/app.js`, {
      headers: { authorization, 'accept-encoding': 'gzip, br' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('content-encoding')).toBe('gzip')
    const body = gunzipSync(Buffer.from(await res.arrayBuffer()))
    expect(body.equals(Buffer.from(files.get('app.js')!.body))).toBe(true)

    const plain = await app.request('/assets/0ld/style.css', { headers: { authorization } })
    expect(plain.headers.get('cache-control')).toBe('no-cache')
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(await plain.text()).toContain('prefers-color-scheme: dark')

    expect(
      (await app.request(`/assets/${version}/nope.js`, { headers: { authorization } })).status
    ).toBe(404)
  })

  it('Should keep every page asset small (no framework, no build)', () => {
    const { size } = loadAssets()
    expect(size.gzip).toBeLessThan(30 * 1024)
  })

  it('Should ask for credentials on the page, its assets and every inspector API route', async () => {
    const { version } = loadAssets()
    const routes: [string, string][] = [
      ['GET', '/'],
      ['GET', `/assets/${version}/app.js`],
      ['GET', '/api/stream'],
      ['GET', '/api/export'],
      ['POST', '/api/import'],
      ['GET', '/api/timeline?key=x'],
      ['POST', '/api/webhooks/1/replay'],
      ['GET', '/api/webhooks/1/replays'],
    ]
    for (const [method, path] of routes) {
      const res = await app.request(path, { method })
      expect(res.status, `${method} ${path}`).toBe(401)
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Basic/)
      const wrong = await app.request(path, {
        method,
        headers: { authorization: `Basic ${btoa('ops:nope')}` },
      })
      expect(wrong.status, `${method} ${path} with a wrong password`).toBe(401)
    }
    const ok = await app.request('/api/timeline?key=x', { headers: { authorization } })
    expect(ok.status).toBe(200)
  })
})

/** What the browser's HTMLElement.dataset would hold for the page's <body>. */
async function bodyDataset(): Promise<Record<string, string>> {
  const html = String(await renderPage({ assetsVersion: 'v', replayUrl: null, canResign: false }))
  const body = html.slice(html.indexOf('<body'), html.indexOf('>', html.indexOf('<body')))
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" }
  const dataset: Record<string, string> = {}
  for (const [, name, value] of body.matchAll(/data-([a-z-]+)="([^"]*)"/g)) {
    dataset[name!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value!.replace(
      /&(amp|lt|gt|quot|#39);/g,
      (_, entity: string) => entities[entity]!
    )
  }
  return dataset
}

describe('page modules shared with the server', () => {
  it("Should hand the page the server's own lists and names (one source: the server's)", async () => {
    const config = readPageConfig({ dataset: await bodyDataset() } as unknown as HTMLElement)
    expect(config).toEqual({
      replayUrl: '',
      canResign: false,
      terminalStatuses: new Set(TERMINAL_STATUSES),
      hopByHopHeaders: HOP_BY_HOP_HEADERS,
      filterKeys: FILTER_KEYS,
      verdicts: VERDICTS,
      streamEvents: STREAM_EVENTS,
      replayModes: REPLAY_MODE,
    })
  })

  it('Should refuse a page whose server names no verdict the page shows', async () => {
    const dataset = await bodyDataset()
    const { headersOnly: _, ...partial } = VERDICTS
    const read = () =>
      readPageConfig({
        dataset: { ...dataset, verdicts: JSON.stringify(partial) },
      } as unknown as HTMLElement)
    expect(read).toThrow('data-verdicts has no name for headersOnly')
  })

  it("Should keep the view's URL a filter the server reads back the same", async () => {
    const { filterKeys } = readPageConfig({
      dataset: await bodyDataset(),
    } as unknown as HTMLElement)
    const url = new URLSearchParams(
      'event=job.status&liveMode=false&status=+FAILED+&jobId=j-1&orderId=o-1&q=tile&id=7&tab=raw&x=1'
    )
    const filters = filtersFrom(url, filterKeys)
    expect(filters).toEqual({
      event: 'job.status',
      liveMode: 'false',
      status: 'FAILED',
      jobId: 'j-1',
      orderId: 'o-1',
      q: 'tile',
    })
    const query = queryString(filters, { id: 7, tab: null })
    expect(query).toBe(
      '?event=job.status&liveMode=false&status=FAILED&jobId=j-1&orderId=o-1&q=tile&id=7'
    )
    expect(filterFromQuery(Object.fromEntries(new URLSearchParams(query)))).toEqual({
      event: 'job.status',
      liveMode: false,
      status: 'FAILED',
      jobId: 'j-1',
      orderId: 'o-1',
      q: 'tile',
    })
    expect(queryString({}, {})).toBe('')
  })

  it("Should describe each verdict the server stores by the server's names", () => {
    expect(verdictText(VERDICTS.verified, VERDICTS)).toBe('verified with UP42_WEBHOOK_SECRET')
    expect(verdictText(VERDICTS.headersOnly, VERDICTS)).toMatch(/^headers verified .* not covered/)
    expect(verdictText(`${VERDICTS.invalid}:SIGNATURE_MISMATCH`, VERDICTS)).toBe(
      'invalid: SIGNATURE_MISMATCH'
    )
    expect(verdictText(VERDICTS.unsigned, VERDICTS)).toBe('unsigned (no signature headers)')
    expect(verdictText(VERDICTS.unchecked, VERDICTS)).toMatch(/^not checked/)
  })

  it('Should quote any string so a POSIX shell reads it back unchanged', () => {
    for (const value of [
      "it's",
      '$(rm -rf /) `x` "y" \\z',
      'line1\nline2',
      '',
      '{"a": "\u2028"}',
    ]) {
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`]).toString()).toBe(value)
    }
  })

  it('Should build a curl command with the original headers, minus hop-by-hop ones', () => {
    const body = `{"event": "job.status", "note": "it's"}`
    const command = toCurl(
      {
        headers: {
          'content-type': 'application/json',
          host: 'old:1',
          'content-length': '40',
          signature: 'up42-sig=abc=',
        },
        body,
      },
      'http://127.0.0.1:8080/x',
      HOP_BY_HOP_HEADERS
    )
    expect(command).toBe(
      [
        "curl -sS -X POST 'http://127.0.0.1:8080/x'",
        "  -H 'content-type: application/json'",
        "  -H 'signature: up42-sig=abc='",
        `  --data-binary '{"event": "job.status", "note": "it'\\''s"}'`,
      ].join(' \\\n')
    )
  })
})
