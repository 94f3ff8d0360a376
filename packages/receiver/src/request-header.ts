import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'

/** A Hono context that may carry @hono/node-server's bindings (absent under `app.request`). */
export type NodeContext = Context<{ Bindings: Partial<HttpBindings> }>

/**
 * One request header, repeats joined with ", ". Read straight from Node's parsed headers when
 * there is a socket: `c.req.header()` builds a WHATWG `Headers` for the request, which showed up
 * in the ingest benchmark's CPU profile.
 */
export function requestHeader(c: NodeContext, name: string): string | undefined {
  const incoming = c.env?.incoming
  if (incoming === undefined) return c.req.header(name)
  const value = incoming.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}
