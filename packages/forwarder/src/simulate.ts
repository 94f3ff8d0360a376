import { encodeBasicAuth, splitUrlCredentials } from '@up42-webhooks/common'
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import { request, type Dispatcher } from 'undici'
import { defaultDispatcher } from './core/http-client.ts'
import { parseReply } from './core/post-webhook.ts'

export const SIMULATED_EVENTS = ['job.status', 'order.status'] as const
export type SimulatedEvent = (typeof SIMULATED_EVENTS)[number]

export interface SimulateOptions {
  /** Where to POST; may carry `user:password@` for a receiver with basic auth. */
  url: string
  secret: string
  event: SimulatedEvent
  /** Defaults to a notifiable one: FAILED for jobs, FULFILLED for orders. */
  status?: string | undefined
  live: boolean
  count: number
  /**
   * Pins `body.id`/`body.jobId` (jobs) or `body.orderId` (orders) for every webhook; without it each
   * webhook is a fresh job or order, so timelines don't mix unrelated runs.
   */
  jobId?: string | undefined
  orderId?: string | undefined
}

export interface SimulatedReply {
  index: number
  messageId: string
  status: number
  /** Parsed JSON when the reply is JSON, else its text. */
  reply: unknown
  latencyMs: number
}

export class UsageError extends Error {
  override name = 'UsageError'
}

/** `command`: what the user typed to run it (see invoked-command.ts). */
export const simulateUsage = (
  command: string
) => `Usage: ${command} --url <url> --secret <secret> [options]

Sends signed UP42 webhooks built from the article's examples, each with a fresh messageId,
timestamp and job or order id (a random UUID).
  --url <url>        where to POST (the relay, e.g. http://127.0.0.1:8787/, or a receiver's
                     /receive-webhooks; user:password@ in the URL becomes basic auth)
  --secret <s>       signing secret (default: UP42_WEBHOOK_SECRET)
  --event <type>     job.status (default) or order.status
  --status <STATUS>  body status (default FAILED for jobs, FULFILLED for orders)
  --live             liveMode: true (default: a test event, liveMode: false)
  --count <n>        how many to send, one after another (default 1)
  --job-id <id>      use this job id for every job.status webhook (to build a timeline)
  --order-id <id>    use this order id for every order.status webhook
Exit code: 0 when every reply is 2xx, 1 otherwise, 2 for bad flags.`

/** The job or order id each example carries (also inside the job example's task log URLs). */
const EXAMPLE_IDS = {
  jobLive: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
  jobTest: 'FB0DA199-01DF-4635-910D-A823AE7DC200',
  orderLive: '86296865-9e91-4a16-9a3c-d4eaa584c03e',
} as const

/**
 * An UP42 envelope as compact JSON: the live or test example of that event type with a fresh
 * messageId, timestamp and job/order id (unless given), and the requested status.
 */
export function buildSimulatedEvent(options: {
  event: SimulatedEvent
  status?: string | undefined
  live: boolean
  now?: Date | undefined
  messageId?: string | undefined
  jobId?: string | undefined
  orderId?: string | undefined
}): string {
  const name = options.event === 'order.status' ? 'orderLive' : options.live ? 'jobLive' : 'jobTest'
  const id = (options.event === 'order.status' ? options.orderId : options.jobId) ?? randomUUID()
  // Every occurrence, so the log URLs of the job's tasks name the same job.
  const example = EXAMPLE_EVENTS[name].replaceAll(EXAMPLE_IDS[name], id)
  const envelope = JSON.parse(example) as { body: Record<string, unknown> } & Record<
    string,
    unknown
  >
  envelope.liveMode = options.live
  envelope.messageId = options.messageId ?? randomUUID()
  envelope.timestamp = (options.now ?? new Date()).toISOString()
  envelope.body.status =
    options.status ?? (options.event === 'order.status' ? 'FULFILLED' : 'FAILED')
  return JSON.stringify(envelope)
}

/** The body plus every header UP42 would send (signature over date and content-digest). */
export async function signedDelivery(
  body: string,
  secret: string
): Promise<{ body: string; headers: Record<string, string> }> {
  const signed = await signWebhook({ body, secret })
  return {
    body,
    headers: { 'content-type': 'application/json', 'user-agent': 'up42-simulate', ...signed },
  }
}

/** Splits `user:password@` off the URL into an authorization header. */
export function targetOf(url: string): { url: string; headers: Record<string, string> } {
  const { url: bare, username, password } = splitUrlCredentials(url)
  if (username === undefined && password === undefined) return { url: bare.href, headers: {} }
  return {
    url: bare.href,
    headers: { authorization: encodeBasicAuth(username ?? '', password ?? '') },
  }
}

export async function sendDelivery(
  target: { url: string; headers: Record<string, string> },
  delivery: { body: string; headers: Record<string, string> },
  dispatcher: Dispatcher = defaultDispatcher()
): Promise<{ status: number; reply: unknown }> {
  const response = await request(target.url, {
    method: 'POST',
    headers: { ...delivery.headers, ...target.headers },
    body: delivery.body,
    dispatcher,
  })
  return { status: response.statusCode, reply: parseReply(await response.body.text()) }
}

/** Builds, signs and POSTs `count` events one after another, reporting each reply. */
export async function simulate(
  options: SimulateOptions,
  onReply: (reply: SimulatedReply) => void = () => {},
  dispatcher?: Dispatcher
): Promise<SimulatedReply[]> {
  const target = targetOf(options.url)
  const replies: SimulatedReply[] = []
  for (let index = 1; index <= options.count; index += 1) {
    const messageId = randomUUID()
    const body = buildSimulatedEvent({ ...options, messageId })
    const delivery = await signedDelivery(body, options.secret)
    const started = performance.now()
    const { status, reply } = await sendDelivery(target, delivery, dispatcher)
    const result = { index, messageId, status, reply, latencyMs: performance.now() - started }
    replies.push(result)
    onReply(result)
  }
  return replies
}

/** `argv` as after the script name; a `--` that pnpm passes along is ignored. */
export function parseSimulateArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>
): SimulateOptions | 'help' {
  let values
  try {
    values = parseArgs({
      args: argv.filter((arg) => arg !== '--'),
      options: {
        url: { type: 'string' },
        secret: { type: 'string' },
        event: { type: 'string', default: 'job.status' },
        status: { type: 'string' },
        live: { type: 'boolean', default: false },
        count: { type: 'string', default: '1' },
        'job-id': { type: 'string' },
        'order-id': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.help) return 'help'
  if (!values.url) throw new UsageError('--url is required')
  try {
    const protocol = new URL(values.url).protocol
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error('not http')
  } catch {
    throw new UsageError('--url must be an absolute http(s) URL')
  }
  const secret = values.secret ?? env.UP42_WEBHOOK_SECRET
  if (!secret) throw new UsageError('--secret is required (or set UP42_WEBHOOK_SECRET)')
  const event = values.event as SimulatedEvent
  if (!SIMULATED_EVENTS.includes(event)) {
    throw new UsageError(`--event must be one of ${SIMULATED_EVENTS.join(', ')}`)
  }
  const count = /^\d+$/.test(values.count) ? Number(values.count) : Number.NaN
  if (!(count >= 1 && count <= 100_000))
    throw new UsageError('--count must be a whole number from 1 to 100000')
  if (values.status !== undefined && !/^[A-Z_ ]+$/i.test(values.status)) {
    throw new UsageError('--status must be an UP42 status such as FAILED or FULFILLED')
  }
  const jobId = values['job-id']
  const orderId = values['order-id']
  for (const [flag, value] of [
    ['--job-id', jobId],
    ['--order-id', orderId],
  ] as const) {
    // It ends up in JSON and in the receiver's filters: an id, not arbitrary text.
    if (value !== undefined && !/^[\w-]{1,100}$/.test(value))
      throw new UsageError(`${flag} must be an id such as a UUID (letters, digits, - and _)`)
  }
  if (jobId !== undefined && event !== 'job.status')
    throw new UsageError('--job-id needs --event job.status')
  if (orderId !== undefined && event !== 'order.status')
    throw new UsageError('--order-id needs --event order.status')
  return {
    url: values.url,
    secret,
    event,
    status: values.status?.toUpperCase(),
    live: values.live,
    count,
    ...(jobId === undefined ? {} : { jobId }),
    ...(orderId === undefined ? {} : { orderId }),
  }
}
