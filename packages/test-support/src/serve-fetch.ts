import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ServedFetch {
  url: string
  close(): Promise<void>
}

/** Serves a fetch handler (a Hono app's `fetch`) on 127.0.0.1 with a free port, as production does. */
export function serveFetch(
  fetch: (request: Request) => Response | Promise<Response>
): Promise<ServedFetch> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            ;(server as Server).closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}
