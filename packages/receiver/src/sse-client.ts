import type { ErrorOptions } from '@up42-webhooks/common'
/** One server-sent event, as parsed from the wire. */
export interface SseMessage {
  event: string
  data: string
  id: string | null
}

/** Splits an SSE byte stream into messages (comments and `retry` lines are consumed). */
export class SseParser {
  #buffer = ''
  #event = ''
  #data: string[] = []
  #id: string | null = null
  /** The last `retry:` the server asked for, in ms. */
  retryMs: number | null = null

  /** Feeds decoded text; returns the messages it completed. */
  push(text: string): SseMessage[] {
    this.#buffer += text
    const messages: SseMessage[] = []
    let newline: number
    while ((newline = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.#buffer.slice(0, newline)
      const width = this.#buffer.startsWith('\r\n', newline) ? 2 : 1
      // a lone \r at the very end might be the first half of \r\n: wait for more
      if (width === 1 && this.#buffer[newline] === '\r' && newline === this.#buffer.length - 1)
        break
      this.#buffer = this.#buffer.slice(newline + width)
      const message = this.#line(line)
      if (message) messages.push(message)
    }
    return messages
  }

  #line(line: string): SseMessage | null {
    if (line === '') {
      const message =
        this.#data.length > 0
          ? { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id }
          : null
      this.#event = ''
      this.#data = []
      this.#id = null
      return message
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') this.#event = value
    else if (field === 'data') this.#data.push(value)
    else if (field === 'id' && !value.includes('\0')) this.#id = value
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value)
    return null
  }
}

export type FollowErrorCode = 'UNAUTHORIZED' | 'REJECTED'

/** The server refused the stream in a way retrying cannot fix. */
export class FollowError extends Error {
  override name = 'FollowError'
  code: FollowErrorCode
  status: number
  constructor(message: string, options: ErrorOptions<FollowErrorCode> & { status: number }) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.status = options.status
  }
}

export interface FollowOptions {
  /** The stream URL, e.g. `http://127.0.0.1:9888/api/stream?event=job.status`. */
  url: string
  headers?: Record<string, string>
  /** Resume after this event id (as `Last-Event-ID`). */
  lastEventId?: string | null
  onMessage: (message: SseMessage) => void
  /** Connection state changes, for a status line. */
  onStatus?: (
    status: { state: 'connected' } | { state: 'retrying'; delayMs: number; error: string }
  ) => void
  signal?: AbortSignal
  fetch?: typeof fetch
  /** First reconnect delay; doubles up to `maxRetryMs` while the server stays away. */
  retryMs?: number
  maxRetryMs?: number
}

/**
 * Follows an SSE endpoint until `signal` aborts, reconnecting with `Last-Event-ID` so a
 * restart of the receiver or a dropped connection loses no event.
 * @throws {FollowError} on 401/403 or another 4xx (retrying cannot help)
 */
export async function followStream(options: FollowOptions): Promise<void> {
  const doFetch = options.fetch ?? fetch
  const baseRetry = options.retryMs ?? 1000
  const maxRetry = options.maxRetryMs ?? 30_000
  let lastEventId = options.lastEventId ?? null
  let delay = baseRetry
  while (!options.signal?.aborted) {
    const parser = new SseParser()
    let failure: string
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers }
      if (lastEventId !== null) headers['last-event-id'] = lastEventId
      const response = await doFetch(options.url, { headers, signal: options.signal ?? null })
      if (response.status === 401 || response.status === 403) {
        throw new FollowError(`${response.status}: check RECEIVER_USER / RECEIVER_PASSWORD`, {
          code: 'UNAUTHORIZED',
          status: response.status,
        })
      }
      if (response.status >= 400 && response.status < 500) {
        throw new FollowError(`${response.status}: ${(await response.text()).trim()}`, {
          code: 'REJECTED',
          status: response.status,
        })
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      options.onStatus?.({ state: 'connected' })
      delay = baseRetry
      const decoder = new TextDecoder()
      const reader = response.body.getReader()
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        for (const message of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          if (message.id !== null) lastEventId = message.id
          options.onMessage(message)
        }
        if (parser.retryMs !== null) delay = parser.retryMs
      }
      failure = 'the receiver closed the stream'
    } catch (error) {
      if (error instanceof FollowError) throw error
      if (options.signal?.aborted) return
      failure =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error)
    }
    options.onStatus?.({ state: 'retrying', delayMs: delay, error: failure })
    await sleep(delay, options.signal)
    delay = Math.min(delay * 2, maxRetry)
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true }
    )
  })
}
