import {
  startRecordingServer,
  type RecordedRequest,
  type ScriptedReply,
} from '@up42-webhooks/test-support'

/**
 * A stand-in for the receiver's two routes on 127.0.0.1:0, recording what reaches it. Step tests
 * use it to see the real HTTP the steps send; the end-to-end tests use the real receiver.
 */
export async function startReceiverStub(options: { postStatus?: number } = {}) {
  let postStatus = options.postStatus ?? 200
  let pingStatus = 200
  /** Like the receiver with basic auth: the POST needs this password, the ping is open. */
  let password: string | undefined
  const authorized = (header: string | undefined) =>
    password === undefined ||
    Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .endsWith(`:${password}`)
  const posts = () => server.requests.filter((r) => r.path === '/receive-webhooks')
  const answer = (req: RecordedRequest): ScriptedReply => {
    if (req.path === '/ping') {
      return {
        status: pingStatus,
        headers: { 'content-type': 'text/plain' },
        body: pingStatus === 200 ? 'PONG' : 'no',
      }
    }
    if (req.path === '/receive-webhooks' && !authorized(req.headers.authorization)) {
      return {
        status: 401,
        headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic' },
        body: '{"code": 401, "msg": "unauthorized"}',
      }
    }
    if (req.path === '/receive-webhooks' && req.method === 'POST') {
      const status = postStatus
      return {
        status,
        headers: { 'content-type': 'application/json' },
        body:
          status === 200 ? `{"msg": "value with key ${posts().length} stored"}` : '{"error":"no"}',
      }
    }
    return { status: 404 }
  }
  const server = await startRecordingServer({ fallback: answer })
  return {
    url: server.url,
    requests: server.requests,
    setPostStatus: (status: number) => {
      postStatus = status
    },
    setPingStatus: (status: number) => {
      pingStatus = status
    },
    setPassword: (value: string | undefined) => {
      password = value
    },
    posts,
    close: () => server.close(),
  }
}
