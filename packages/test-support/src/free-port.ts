import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * A port on 127.0.0.1 that was free a moment ago. Prefer `PORT=0` and reading the announced
 * URL; this is for programs that cannot pick their own port, and for "nothing listens here".
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** An http URL on 127.0.0.1 where nothing listens (connection refused). */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`
}
