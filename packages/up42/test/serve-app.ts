import { serve } from '@hono/node-server'
import type { Server } from 'node:http'

export interface ServedApp {
  url: string
  close(): Promise<void>
}

/** Serves a fetch handler on 127.0.0.1 with a free port, like the real servers in production. */
export function serveApp(fetch: (request: Request) => Response | Promise<Response>) {
  return new Promise<ServedApp>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
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
