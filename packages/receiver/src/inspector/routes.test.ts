import { execFileSync } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import { TERMINAL_STATUSES } from '@up42-webhooks/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../app.ts'
import { HOP_BY_HOP_HEADERS } from '@up42-webhooks/common'
import { createSqliteStore } from '../sqlite-store.ts'
import type { WebhookStore } from '../store.ts'
import { loadAssets } from './assets.ts'
// The page's own modules: plain JS, importable here because they touch the DOM only when called.
import { shellQuote, toCurl } from './client/curl.js'
import { readPageConfig } from './client/page-config.js'
import { renderPage } from './page.ts'

const AUTH = { username: 'ops', password: 'p4ss' }
const authorization = `Basic ${Buffer.from('ops:p4ss').toString('base64')}`

describe('inspector page and assets', () => {
  let store: WebhookStore
  let app: ReturnType<typeof createApp>
  beforeEach(() => {
    store = createSqliteStore({ path: ':memory:' })
    app = createApp({
      store,
      auth: AUTH,
      replayUrl: 'http://127.0.0.1:3000/hook?a="b"&c',
      secret: 's',
    })
  })
  afterEach(async () => {
    await store.close()
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

describe('page modules shared with the server', () => {
  it("Should hand the page the server's own terminal statuses and hop-by-hop headers", async () => {
    const html = String(await renderPage({ assetsVersion: 'v', replayUrl: null, canResign: false }))
    // what the browser's HTMLElement.dataset would hold for <body>
    const body = html.slice(html.indexOf('<body'), html.indexOf('>', html.indexOf('<body')))
    const dataset: Record<string, string> = {}
    for (const [, name, value] of body.matchAll(/data-([a-z-]+)="([^"]*)"/g)) {
      dataset[name!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value!
    }
    const config = readPageConfig({ dataset } as unknown as HTMLElement)
    expect(config).toEqual({
      replayUrl: '',
      canResign: false,
      terminalStatuses: new Set(TERMINAL_STATUSES),
      hopByHopHeaders: HOP_BY_HOP_HEADERS,
    })
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
