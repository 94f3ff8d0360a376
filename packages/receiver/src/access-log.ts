import { decodeBasicAuth } from '@up42-webhooks/common'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'

export interface AccessLogEntry {
  remoteAddress: string | null
  /** The basic-auth user name, never the password. */
  remoteUser: string | null
  time: Date
  method: string
  url: string
  httpVersion: string
  status: number
  bytes: number
  referer: string | null
  userAgent: string | null
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** nginx's `$time_local`: `30/Nov/2026:02:56:36 +0000`. */
function timeLocal(date: Date): string {
  const offset = -date.getTimezoneOffset()
  const sign = offset >= 0 ? '+' : '-'
  const abs = Math.abs(offset)
  return (
    `${pad(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()}:` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  )
}

/** As nginx escapes logged variables: `"`, `\` and non-printable bytes become `\xHH`. */
function escape(value: string): string {
  return value.replace(/[\x00-\x1f"\\\x7f-\u{10ffff}]/gu, (c) =>
    [...Buffer.from(c)].map((b) => `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')
  )
}

const orDash = (value: string | null): string =>
  value === null || value === '' ? '-' : escape(value)

/**
 * One line of nginx's `combined` log format, the original's `make logs` output:
 * `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
 */
export function formatCombinedLogLine(e: AccessLogEntry): string {
  return (
    `${orDash(e.remoteAddress)} - ${orDash(e.remoteUser)} [${timeLocal(e.time)}] ` +
    `"${escape(`${e.method} ${e.url} HTTP/${e.httpVersion}`)}" ${e.status} ${e.bytes} ` +
    `"${orDash(e.referer)}" "${orDash(e.userAgent)}"`
  )
}

type Write = ServerResponse['write']
type End = ServerResponse['end']

function chunkBytes(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(
      chunk,
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'
    )
  }
  return chunk instanceof Uint8Array ? chunk.byteLength : 0
}

/**
 * Calls `write` with one combined-format line per request once its response is finished, or
 * with status 499 (nginx's "client closed request") when the client went away first. Counts
 * the body bytes actually written, streamed responses included.
 */
export function attachAccessLog(server: Server, write: (line: string) => void): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    let bytes = 0
    const originalWrite = res.write
    const originalEnd = res.end
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      bytes += chunkBytes(chunk, rest[0])
      return (originalWrite as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
    } as Write
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      if (args.length > 0 && typeof args[0] !== 'function') bytes += chunkBytes(args[0], args[1])
      return (originalEnd as (...a: unknown[]) => ServerResponse).apply(this, args)
    } as End
    res.once('close', () => {
      write(
        formatCombinedLogLine({
          remoteAddress: req.socket.remoteAddress ?? null,
          remoteUser: decodeBasicAuth(req.headers.authorization)?.username ?? null,
          // nginx's $time_local is the time the line is written, at the end of the request
          time: new Date(),
          method: req.method ?? '-',
          url: req.url ?? '-',
          httpVersion: req.httpVersion,
          status: res.writableFinished ? res.statusCode : 499,
          bytes: req.method === 'HEAD' ? 0 : bytes,
          referer: req.headers.referer ?? null,
          userAgent: req.headers['user-agent'] ?? null,
        })
      )
    })
  })
}
