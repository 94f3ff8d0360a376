import { createServer } from 'node:http'
import type { RequestListener, Server, ServerOptions, ServerResponse } from 'node:http'

/** Node HTTP server limits, chosen rather than inherited. */
export interface HttpLimits {
  /**
   * The whole header section must arrive within this, counted from its first byte, or Node
   * answers 408 and closes: a slowloris client trickling header lines is dropped. Node's 60 s,
   * checked every 30 s, held such a connection 32 s and more.
   */
  headersTimeoutMs: number
  /**
   * The whole request, body included (a response may take longer: the live stream stays open).
   * Generous for a 256 MiB import over a slow tunnel, but bounded.
   */
  requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this (Node's 5 s, set on purpose). */
  keepAliveTimeoutMs: number
  /** How often Node looks for connections past the two timeouts above. */
  connectionsCheckingIntervalMs: number
  /** More header fields than this get 431; Node would silently keep only the first ones. */
  maxHeadersCount: number
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckingIntervalMs: 1_000,
  // Apache's LimitRequestFields; a webhook with its tunnel's and relay's headers has ~30
  maxHeadersCount: 100,
}

function tooManyHeaders(res: ServerResponse, max: number): void {
  const body = `{"code": 431, "msg": "more than ${max} header fields"}`
  // no server header: Node's own 431 (headers over 16 KiB) has none either
  res.writeHead(431, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  })
  res.end(body)
}

/**
 * Options for @hono/node-server's `serve`: an HTTP server with the receiver's limits.
 *
 * - Timeouts as `HttpLimits` says.
 * - 431 to a request with more than `maxHeadersCount` header fields. Node's parser stops copying
 *   fields into `rawHeaders` in 32-field batches once it holds `2 × maxHeadersCount` entries, so
 *   a longer `rawHeaders` is how an overflow shows.
 * - A client that half-closes its socket after sending (`shutdown(SHUT_WR)`, `socket.end()`)
 *   still gets its reply. Node ends the socket on the client's FIN unless `httpAllowHalfOpen` is
 *   set (undocumented, but kept through Node 26 and used by node-spdy), so a reply made after
 *   anything asynchronous (basic auth's digest, a busy database) went nowhere although the
 *   webhook was stored. RFC 9112 §9.6: a half-closed connection does not mean the client has
 *   lost interest. With it set, Node closes the socket once the last reply is written.
 */
export function httpServerOptions(limits: Partial<HttpLimits> = {}): {
  serverOptions: ServerOptions
  createServer: typeof createServer
} {
  const { maxHeadersCount, ...timeouts } = { ...DEFAULT_HTTP_LIMITS, ...limits }
  const create = (options: ServerOptions, listener: RequestListener): Server => {
    const server = createServer(options, (req, res) => {
      if (req.rawHeaders.length > 2 * maxHeadersCount) return tooManyHeaders(res, maxHeadersCount)
      listener(req, res)
    })
    server.maxHeadersCount = maxHeadersCount
    ;(server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true
    return server
  }
  return {
    serverOptions: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeouts.connectionsCheckingIntervalMs,
    },
    // `serve` calls it as createServer(options, listener), the only overload used
    createServer: create as typeof createServer,
  }
}
