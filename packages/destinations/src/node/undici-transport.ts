import { Agent, errors } from 'undici'
import type { HttpTransport } from '../http-transport.ts'

export interface UndiciTransport {
  transport: HttpTransport
  /** Ends the keep-alive connections. */
  close(): Promise<void>
}

/**
 * The transport on undici's `request` over one keep-alive Agent (a pool per origin): on Node
 * 20 a POST through `fetch` cost the receiver's dispatcher 570–820 µs of CPU, through
 * `request` 90–150 µs (measured on loopback, 4 at a time; fetch's Web streams and its
 * per-request abort signals make the difference). Same rules as the fetch transport:
 * redirects are not followed, the excerpt is read up to its size and the rest dropped.
 * The time limit is undici's own: the answer's headers, then each part of the excerpt, within
 * `timeoutMs` (no per-request timer or signal is made).
 */
export function createUndiciTransport(options: { connections?: number } = {}): UndiciTransport {
  const agent = new Agent({ connections: options.connections ?? 16 })
  const transport: HttpTransport = async (request, { timeoutMs, signal, excerptBytes }) => {
    const url = new URL(request.url)
    let answer
    try {
      answer = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      })
    } catch (error) {
      throw isTimeout(error) ? timeoutError(error) : error
    }
    const chunks: Buffer[] = []
    let size = 0
    let excerpt: Uint8Array | null = null
    try {
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        chunks.push(chunk)
        size += chunk.byteLength
        if (size >= excerptBytes) break // leaving the loop destroys the rest of the answer
      }
      excerpt = Buffer.concat(chunks, size)
    } catch {
      // The answer was cut off (timeout, reset) after its status line: the status still counts.
      answer.body.destroy()
    }
    return {
      status: answer.statusCode,
      statusText: answer.statusText ?? '',
      headers: { get: (name) => headerValue(answer.headers[name.toLowerCase()]) },
      excerpt,
    }
  }
  return { transport, close: () => agent.close() }
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError
  )
}

function timeoutError(cause: unknown): Error {
  const error = new Error('no answer in time', { cause })
  error.name = 'TimeoutError'
  return error
}
