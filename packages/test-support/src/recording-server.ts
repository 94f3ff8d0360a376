import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  /** Path and query as sent. */
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface ScriptedReply {
  status?: number
  headers?: Record<string, string>
  body?: string | Buffer
  /** Destroys the socket instead of answering (a connection reset seen by the client). */
  reset?: boolean
}

export type Reply = ScriptedReply | ((request: RecordedRequest) => ScriptedReply)

export interface RecordingServer {
  url: string
  /** Every request in arrival order, recorded once its body has been read. */
  requests: RecordedRequest[]
  /** Queues replies used one per request, in order; then `fallback` answers. */
  script(...replies: Reply[]): void
  /** Resolves once `count` requests have been recorded (at once if they have). */
  received(count: number): Promise<RecordedRequest[]>
  close(): Promise<void>
}

/**
 * An HTTP server on 127.0.0.1:0 that records what reaches it and answers from a script, for
 * tests of clients that send real HTTP (forwarding, replay, the UP42 client).
 */
export async function startRecordingServer(
  options: { fallback?: Reply } = {}
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = []
  const queue: Reply[] = []
  const waiters: { count: number; resolve: (requests: RecordedRequest[]) => void }[] = []
  const fallback = options.fallback ?? { status: 200 }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      }
      requests.push(recorded)
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(requests.slice())
      }
      const next = queue.shift() ?? fallback
      const reply = typeof next === 'function' ? next(recorded) : next
      if (reply.reset) {
        req.socket.destroy()
        return
      }
      res.writeHead(reply.status ?? 200, reply.headers).end(reply.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => queue.push(...replies),
    received: (count) =>
      requests.length >= count
        ? Promise.resolve(requests.slice())
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
