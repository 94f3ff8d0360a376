import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import { startRecordingServer, type RecordedRequest } from '@up42-webhooks/test-support'

export const SECRET = 'inspector-test-secret'

/** A job.status envelope with the given ids; `timestamp` lets tests send out of order. */
export function jobEvent(overrides: {
  messageId: string
  jobId?: string
  status?: string
  liveMode?: boolean
  timestamp?: string
}): string {
  return JSON.stringify({
    event: 'job.status',
    liveMode: overrides.liveMode ?? true,
    messageId: overrides.messageId,
    timestamp: overrides.timestamp ?? new Date().toISOString(),
    body: { id: overrides.jobId ?? 'job-1', status: overrides.status ?? 'RUNNING' },
  })
}

/** Headers of a webhook as the forwarder would send it: signed, JSON. */
export async function signedHeaders(
  body: string,
  secret = SECRET
): Promise<Record<string, string>> {
  return { 'content-type': 'application/json', ...(await signWebhook({ body, secret })) }
}

export { EXAMPLE_EVENTS }

export type { RecordedRequest }

/** A throw-away HTTP target on 127.0.0.1 (`…/hook`) that records what it gets and answers `status`. */
export async function startTarget(
  respond: (request: RecordedRequest) => { status: number; body: string } = () => ({
    status: 200,
    body: 'ok',
  })
): Promise<{ url: string; requests: RecordedRequest[]; close: () => Promise<void> }> {
  const server = await startRecordingServer({
    fallback: (request) => ({ ...respond(request), headers: { 'content-type': 'text/plain' } }),
  })
  return { url: `${server.url}/hook`, requests: server.requests, close: () => server.close() }
}

/** Reads SSE messages from a streaming response until `until` says stop. */
export async function readSse(
  response: Response,
  until: (messages: { event: string; data: string; id: string | null }[]) => boolean
): Promise<{ event: string; data: string; id: string | null }[]> {
  const { SseParser } = await import('../src/sse-client.ts')
  const parser = new SseParser()
  const messages: { event: string; data: string; id: string | null }[] = []
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  while (!until(messages)) {
    const chunk = await reader.read()
    if (chunk.done) break
    messages.push(...parser.push(decoder.decode(chunk.value, { stream: true })))
  }
  await reader.cancel()
  return messages
}

/** Polls until `check` returns a value (no fixed sleeps). */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
