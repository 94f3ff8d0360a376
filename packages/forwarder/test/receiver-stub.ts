import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StubRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
}

/**
 * A stand-in for the receiver's two routes on 127.0.0.1:0, recording what reaches it. Step tests
 * use it to see the real HTTP the steps send; the end-to-end tests use the real receiver.
 */
export async function startReceiverStub(options: { postStatus?: number } = {}) {
  const requests: StubRequest[] = []
  let postStatus = options.postStatus ?? 200
  let pingStatus = 200
  /** Like the receiver with basic auth: the POST needs this password, the ping is open. */
  let password: string | undefined
  const authorized = (header: string | undefined) =>
    password === undefined ||
    Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .endsWith(`:${password}`)
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      if (req.url === '/ping') {
        res
          .writeHead(pingStatus, { 'content-type': 'text/plain' })
          .end(pingStatus === 200 ? 'PONG' : 'no')
      } else if (req.url === '/receive-webhooks' && !authorized(req.headers.authorization)) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic' })
        res.end('{"code": 401, "msg": "unauthorized"}')
      } else if (req.url === '/receive-webhooks' && req.method === 'POST') {
        const status = postStatus
        const key = requests.filter((r) => r.path === '/receive-webhooks').length
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(status === 200 ? `{"msg": "value with key ${key} stored"}` : '{"error":"no"}')
      } else {
        res.writeHead(404).end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setPostStatus: (status: number) => {
      postStatus = status
    },
    setPingStatus: (status: number) => {
      pingStatus = status
    },
    setPassword: (value: string | undefined) => {
      password = value
    },
    posts: () => requests.filter((r) => r.path === '/receive-webhooks'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A URL where nothing listens: a port that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
