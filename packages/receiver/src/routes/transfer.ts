import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { exportNdjson } from '../export.ts'
import { ImportError, importWebhooks, readImport } from '../import.ts'
import { pulledBody } from '../pulled-body.ts'
import type { WebhookStore } from '../store.ts'
import type { WebhookEvents } from '../webhook-events.ts'
import { parseFilter } from './http.ts'
import type { AppEnv } from './http.ts'

/**
 * An import is checked whole before anything is stored, so its records are held in memory
 * (compactly: about 3/4 of the upload at most): cap it.
 */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024

export interface TransferRoutesDeps {
  store: WebhookStore
  events: WebhookEvents
  /** Largest accepted import upload; default 256 MiB. */
  maxImportBytes?: number
  /** Largest body of one imported record (RECEIVER_MAX_BODY_BYTES); default 1 MiB. */
  maxBodyBytes?: number
  /** Where an error in the middle of a streamed export is reported. Default `console.error`. */
  onError?: (error: unknown) => void
}

/** NDJSON export (`GET /api/export`) and import (`POST /api/import`) of full records. */
export function createTransferRoutes(deps: TransferRoutesDeps): Hono<AppEnv> {
  const { store, events } = deps
  const routes = new Hono<AppEnv>()

  routes.get('/api/export', (c) => {
    const filter = parseFilter(c.req.query())
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
