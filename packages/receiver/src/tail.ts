import { encodeBasicAuth } from '@up42-webhooks/common'
import { parseArgs } from 'node:util'
import { FollowError, followStream } from './sse-client.ts'
import type { WebhookSummary } from './store.ts'
import { formatTailLine } from './tail-format.ts'
import { STREAM_EVENTS } from './webhook-events.ts'

// `npx -y pnpm@10.34.9 tail -- --url http://127.0.0.1:9888 --json --status FAILED`:
// follows the receiver's live stream in a terminal.

const USAGE = `Usage: npx -y pnpm@10.34.9 tail -- [options]
  --url <url>        receiver base URL (env RECEIVER_LOCAL_URL, default http://127.0.0.1:$PORT or :9888;
                     RECEIVER_URL is read too but deprecated here: it is the forwarder's tunnel URL)
  --json             one JSON summary per webhook (for jq) instead of a human line
  --event <type>     only this event type (job.status, order.status)
  --status <status>  only this status (e.g. FAILED)
  --job <id>, --order <id>   only this job / order
  --live, --test     only live / only test events
  --since <id>       first print every stored webhook after this id
Basic auth from RECEIVER_USER / RECEIVER_PASSWORD.`

function fail(message: string, code: number): never {
  process.stderr.write(`tail: ${message}\n`)
  process.exit(code)
}

let args
try {
  args = parseArgs({
    options: {
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      event: { type: 'string' },
      status: { type: 'string' },
      job: { type: 'string' },
      order: { type: 'string' },
      live: { type: 'boolean', default: false },
      test: { type: 'boolean', default: false },
      since: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    // `pnpm tail -- --json` passes the `--` through
    args: process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === '--')),
  }).values
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2)
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
if (args.live && args.test) fail('--live and --test exclude each other', 2)
if (args.since !== undefined && !/^\d+$/.test(args.since)) fail('--since needs a webhook id', 2)

/**
 * Where the local receiver is. `RECEIVER_URL` is the forwarder's: the receiver as Pipedream
 * reaches it, through the tunnel. tail used to read it too; it still does, with a warning, when
 * RECEIVER_LOCAL_URL is not set.
 */
function receiverBase(flag: string | undefined): string {
  if (flag !== undefined) return flag
  const local = process.env['RECEIVER_LOCAL_URL']
  if (local) return local
  const deprecated = process.env['RECEIVER_URL']
  if (deprecated) {
    process.stderr.write(
      "tail: RECEIVER_URL is deprecated for tail (it is the forwarder's tunnel URL); set RECEIVER_LOCAL_URL or pass --url\n"
    )
    return deprecated
  }
  return `http://127.0.0.1:${process.env['PORT'] || 9888}`
}

const base = receiverBase(args.url)
let url: URL
try {
  url = new URL('api/stream', base.endsWith('/') ? base : `${base}/`)
} catch {
  fail(`not a URL: ${base}`, 2)
}
for (const [key, value] of [
  ['event', args.event],
  ['status', args.status],
  ['jobId', args.job],
  ['orderId', args.order],
  ['liveMode', args.live ? 'true' : args.test ? 'false' : undefined],
] as const) {
  if (value) url.searchParams.set(key, value)
}

const headers: Record<string, string> = {}
const user = process.env['RECEIVER_USER']
const password = process.env['RECEIVER_PASSWORD']
if (user && password) {
  if (user.includes(':')) fail('RECEIVER_USER must not contain ":"', 2)
  headers['authorization'] = encodeBasicAuth(user, password)
}

const color = !args.json && process.stdout.isTTY === true && !process.env['NO_COLOR']
const controller = new AbortController()
process.on('SIGINT', () => controller.abort())
process.on('SIGTERM', () => controller.abort())
process.stdout.on('error', () => controller.abort()) // `pnpm tail | head` closed the pipe

process.stderr.write(`tail: following ${url.href} (Ctrl-C to stop)\n`)
try {
  await followStream({
    url: url.href,
    headers,
    lastEventId: args.since ?? null,
    signal: controller.signal,
    onStatus: (status) => {
      if (status.state === 'connected') process.stderr.write('tail: connected\n')
      else process.stderr.write(`tail: ${status.error}; reconnecting in ${status.delayMs} ms\n`)
    },
    onMessage: (message) => {
      if (message.event !== STREAM_EVENTS.stored && message.event !== STREAM_EVENTS.duplicate)
        return
      const webhook = JSON.parse(message.data) as WebhookSummary
      if (args.json) {
        if (message.event === STREAM_EVENTS.stored)
          process.stdout.write(`${JSON.stringify(webhook)}\n`)
      } else {
        process.stdout.write(
          `${formatTailLine(webhook, { color, duplicate: message.event === STREAM_EVENTS.duplicate })}\n`
        )
      }
    },
  })
} catch (error) {
  if (error instanceof FollowError) fail(error.message, error.code === 'UNAUTHORIZED' ? 3 : 2)
  throw error
}
