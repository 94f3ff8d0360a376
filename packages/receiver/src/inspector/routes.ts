import { Hono } from 'hono'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { HttpBindings } from '@hono/node-server'
import { exportNdjson } from '../export.ts'
import { ImportError, importWebhooks, readImport } from '../import.ts'
import { pulledBody } from '../pulled-body.ts'
import { DEFAULT_REPLAY_CONCURRENCY, ReplayError, replayWebhook } from '../replay.ts'
import type { ReplaySettings } from '../replay.ts'
import { MAX_PAGE_SIZE } from '../store.ts'
import type { WebhookStore } from '../store.ts'
import { streamWebhooks } from '../stream.ts'
import { buildTimeline, TimelineCursorError } from '../timeline.ts'
import type { WebhookEvents } from '../webhook-events.ts'
import { loadAssets } from './assets.ts'
import type { Assets } from './assets.ts'
import { renderPage } from './page.ts'
import { filterFromQuery, QueryError, resumeId } from '../query-filter.ts'

/** What the inspector gets from `createApp`. */
export interface InspectorDeps {
  store: WebhookStore
  events: WebhookEvents
  /** UP42_WEBHOOK_SECRET, to re-sign replays. */
  secret?: string | string[] | null
  /** REPLAY_URL: where replays are sent. */
  replayUrl?: string | null
  fetch?: typeof fetch
  /** Replay timeout; default 10 s. */
  replayTimeoutMs?: number
  /** In-flight limit, shutdown signal and resolver for replays. */
  replay?: ReplaySettings
  /** SSE heartbeat interval; default 15 s. */
  heartbeatMs?: number
  /** Largest accepted import upload; default 256 MiB. */
  maxImportBytes?: number
  /** Largest body of one imported record (RECEIVER_MAX_BODY_BYTES); default 1 MiB. */
  maxBodyBytes?: number
  /** The page's static files; default `src/inspector/client` of this package. */
  assetsDir?: string
  /** Where an error in the middle of a streamed export is reported. Default `console.error`. */
  onError?: (error: unknown) => void
}

const IMMUTABLE = 'public, max-age=31536000, immutable'
/**
 * An import is checked whole before anything is stored, so its records are held in memory
 * (compactly: about 3/4 of the upload at most): cap it.
 */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024
// Webhook bodies are untrusted input shown on the page: no inline script, nothing from elsewhere.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

function withoutUserinfo(raw: string): string {
  if (!URL.canParse(raw)) return ''
  const url = new URL(raw)
  if (url.username === '' && url.password === '') return raw
  url.username = ''
  url.password = ''
  return url.href
}

const badRequest = (message: string) => new HTTPException(400, { message })

function query<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof QueryError) throw badRequest(error.message)
    throw error
  }
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>
    }
  } catch {
    // answered below
  }
  throw badRequest('body must be a JSON object like {"url": "http://…", "mode": "resign"}')
}

/**
 * The web inspector and its API, mounted at `/` by `createApp` (behind its basic auth):
 * the page and its assets, the live stream, replay, timeline, NDJSON export and import.
 */
export function createInspectorRoutes(deps: InspectorDeps): Hono {
  const { store, events, secret = null, replayUrl = null } = deps
  // read on first use, so building the app touches no file
  let loaded: Assets | undefined
  const assets = (): Assets => (loaded ??= loadAssets(deps.assetsDir))
  const canResign = [secret ?? []].flat().some((s) => s !== '')
  const { concurrency = DEFAULT_REPLAY_CONCURRENCY, signal: shutdown, resolve } = deps.replay ?? {}
  let replaysInFlight = 0
  // REPLAY_URL as the page shows it: its user:password is used by the server, never shown
  const pageReplayUrl = replayUrl === null ? null : withoutUserinfo(replayUrl)
  const routes = new Hono()

  routes.get('/', async (c) => {
    c.header('cache-control', 'no-cache')
    c.header('content-security-policy', PAGE_CSP)
    c.header('x-content-type-options', 'nosniff')
    c.header('referrer-policy', 'no-referrer')
    const page = String(
      await renderPage({ assetsVersion: assets().version, replayUrl: pageReplayUrl, canResign })
    )
    // explicit, so HEAD announces it too (Hono answers HEAD with the GET response's headers only)
    return c.body(page, 200, {
      'content-type': 'text/html; charset=UTF-8',
      'content-length': String(Buffer.byteLength(page)),
    })
  })

  routes.get('/assets/:version/:name', (c) => {
    const { files, version } = assets()
    const asset = files.get(c.req.param('name'))
    if (!asset) throw new HTTPException(404, { message: 'no such asset' })
    // An old version's URL still gets today's file, but must not be cached as if it matched.
    const current = c.req.param('version') === version
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': current ? IMMUTABLE : 'no-cache',
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
    }
    if (gzip) headers['content-encoding'] = 'gzip'
    return c.body(Buffer.from(gzip ? asset.gzip : asset.body), 200, headers)
  })

  routes.get('/api/stream', (c) => {
    const filter = query(() => filterFromQuery(c.req.query()))
    const since = query(() => resumeId(c.req.header('last-event-id') ?? c.req.query('since')))
    return streamWebhooks(c, {
      store,
      events,
      filter,
      since,
      ...(deps.heartbeatMs === undefined ? {} : { heartbeatMs: deps.heartbeatMs }),
    })
  })

  const replay = async (c: Context) => {
    const id = Number(c.req.param('id'))
    const body = await jsonBody(c)
    const record = await store.get(id)
    if (record === null) throw new HTTPException(404, { message: `webhook ${id} not found` })
    // the socket the request came in on is the receiver's own listening port and address
    const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket
    let attemptInput
    try {
      attemptInput = await replayWebhook(record, {
        url: typeof body['url'] === 'string' ? body['url'] : null,
        defaultUrl: replayUrl,
        mode: typeof body['mode'] === 'string' ? body['mode'] : 'raw',
        secret,
        self: socket?.localPort ? { port: socket.localPort, address: socket.localAddress } : null,
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
        ...(deps.replayTimeoutMs === undefined ? {} : { timeoutMs: deps.replayTimeoutMs }),
        ...(shutdown === undefined ? {} : { signal: shutdown }),
        ...(resolve === undefined ? {} : { resolve }),
      })
    } catch (error) {
      if (error instanceof ReplayError) throw badRequest(error.message)
      throw error
    }
    const attempt = await store.addReplayAttempt(id, attemptInput)
    if (attempt === null)
      throw new HTTPException(404, { message: `webhook ${id} was deleted meanwhile` })
    const delivered = attempt.status !== null && attempt.status >= 200 && attempt.status < 300
    // 502: the replay was made and recorded, but the target did not accept it.
    return c.json({ attempt }, delivered ? 200 : 502)
  }

  routes.post('/api/webhooks/:id{[0-9]+}/replay', async (c) => {
    // A bound, not a queue: a replay that reaches this receiver again (through a tunnel or a
    // second receiver) fails fast once the chain is `concurrency` deep instead of piling up.
    if (shutdown?.aborted || replaysInFlight >= concurrency) {
      const msg = shutdown?.aborted
        ? 'the receiver is shutting down'
        : `${concurrency} replays are already in flight; retry`
      return c.json({ code: 503, msg }, 503, { 'retry-after': '1' })
    }
    replaysInFlight++
    try {
      return await replay(c)
    } finally {
      replaysInFlight--
    }
  })

  routes.get('/api/webhooks/:id{[0-9]+}/replays', async (c) => {
    const id = Number(c.req.param('id'))
    if ((await store.get(id)) === null)
      throw new HTTPException(404, { message: `webhook ${id} not found` })
    return c.json({ items: await store.listReplayAttempts(id) })
  })

  routes.get('/api/timeline', async (c) => {
    const key = (c.req.query('key') ?? c.req.query('jobId') ?? c.req.query('orderId'))?.trim()
    if (!key) throw badRequest('timeline needs ?key=<job or order id>')
    const limit = c.req.query('limit')
    if (limit !== undefined && !(/^\d{1,3}$/.test(limit) && +limit >= 1 && +limit <= MAX_PAGE_SIZE))
      throw badRequest(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
    try {
      return c.json(
        await buildTimeline(store, key, {
          cursor: c.req.query('cursor') ?? null,
          ...(limit === undefined ? {} : { limit: Number(limit) }),
        })
      )
    } catch (error) {
      if (error instanceof TimelineCursorError) throw badRequest(error.message)
      throw error
    }
  })

  routes.get('/api/export', (c) => {
    const filter = query(() => filterFromQuery(c.req.query()))
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    const onError = deps.onError ?? ((error: unknown) => console.error(error))
    return c.body(pulledBody(c, exportNdjson(store, filter), onError), 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="webhooks-${stamp}.ndjson"`,
      'cache-control': 'no-store',
    })
  })

  routes.post('/api/import', async (c) => {
    const maxImportBytes = deps.maxImportBytes ?? MAX_IMPORT_BYTES
    const tooLarge = () =>
      new HTTPException(413, {
        message: `import larger than ${maxImportBytes} bytes; split the file`,
      })
    // a declared length is checked before reading; a chunked upload is counted while read
    const length = c.req.header('content-length')
    if (length !== undefined && Number(length) > maxImportBytes) throw tooLarge()
    try {
      const inputs = await readImport(c.req.raw.body, {
        // createApp passes its own; 1 MiB is its default too (not imported: app.ts imports us)
        maxBodyBytes: deps.maxBodyBytes ?? 1024 * 1024,
        maxImportBytes,
      })
      const result = await importWebhooks(store, inputs)
      for (const webhook of result.stored) events.emit({ type: 'stored', webhook })
      return c.json({
        total: result.total,
        imported: result.imported,
        duplicates: result.duplicates,
      })
    } catch (error) {
      if (!(error instanceof ImportError)) throw error
      if (error.code === 'TOO_LARGE') throw tooLarge()
      if (error.code !== 'STORE_FAILED') {
        // the rest of the upload is not read: close the connection rather than drain it
        c.header('connection', 'close')
        return c.json({ code: 400, msg: error.message, errors: error.errors }, 400)
      }
      for (const webhook of error.partial?.stored ?? []) events.emit({ type: 'stored', webhook })
      const { total = 0, imported = 0, duplicates = 0 } = error.partial ?? {}
      return c.json({ code: 500, msg: error.message, total, imported, duplicates }, 500)
    }
  })

  return routes
}
