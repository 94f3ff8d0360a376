import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { HttpBindings } from '@hono/node-server'
import { filterFromQuery, QueryError } from '../query-filter.ts'
import type { WebhookFilter } from '../store.ts'

/** Every route group's environment: @hono/node-server's bindings, absent under `app.request`. */
export type AppEnv = { Bindings: Partial<HttpBindings> }

export const JSON_TYPE = 'application/json'

export const STATUS_MESSAGES: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  404: 'not found',
  405: 'method not allowed',
  413: 'payload too large',
}

/** The original's error body shape, spacing included: `{"code": 405, "msg": "method not allowed"}`. */
export const errorBody = (code: number, msg: string): string =>
  `{"code": ${code}, "msg": ${JSON.stringify(msg)}}`

/** An HTTP-level refusal; `createApp`'s error handler answers it in the original's shape. */
export const fail = (status: ContentfulStatusCode, message: string): HTTPException =>
  new HTTPException(status, { message })

export function methodNotAllowed(c: Context, allow: string): Response {
  return c.body(errorBody(405, STATUS_MESSAGES[405]!), 405, {
    'content-type': JSON_TYPE,
    allow,
  })
}

/** A query parameter as an integer in `min..max`; 400 otherwise. */
export function parseInteger(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER
): number | undefined {
  if (value === undefined) return undefined
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN
  if (!(n >= min && n <= max)) throw fail(400, `${name} must be an integer from ${min} to ${max}`)
  return n
}

/** Runs a query reader, turning its `QueryError` into a 400. */
export function query<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof QueryError) throw fail(400, error.message)
    throw error
  }
}

/** The list filters of a query string (see `filterFromQuery`); 400 for a bad one. */
export const parseFilter = (params: Record<string, string>): WebhookFilter =>
  query(() => filterFromQuery(params))
