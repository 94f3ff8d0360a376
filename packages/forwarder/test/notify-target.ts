import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface NotifyRequest {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/**
 * A notification endpoint on 127.0.0.1:0 that records each request and answers from `replies`
 * (one per request, then Slack's `200 ok`).
 */
export async function startNotifyTarget() {
  const requests: NotifyRequest[] = []
  const replies: { status: number; headers?: Record<string, string>; body?: string }[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      const reply = replies.shift() ?? {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: 'ok',
      }
      res.writeHead(reply.status, reply.headers).end(reply.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    replies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
