import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import type { SendOutcome } from '@up42-webhooks/destinations'
import type {
  Delivery,
  DeliveryAttemptResult,
  DeliveryKind,
  WebhookRecord,
  WebhookStore,
} from './store.ts'
import type { WebhookEvents } from './webhook-events.ts'

/** `10s,30s,2m,10m,30m,1h`, then hourly: the last step repeats. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000,
]
export const DEFAULT_RETRY_MAX_AGE_MS = 24 * 3_600_000
export const DEFAULT_DESTINATION_CONCURRENCY = 4
/** Most notifications one digest message merges. */
export const MAX_DIGEST = 100

export interface SendContext {
  /** `<messageId>:<destination name>` (of the first webhook, for a digest). */
  idempotencyKey: string
  /** Aborted when the receiver shuts down. */
  signal: AbortSignal
}

/** A destination as the dispatcher drives it: its name in the outbox and how to send to it. */
export interface DispatchTarget {
  name: string
  kind: DeliveryKind
  /** Attempts in flight at once to this destination; default 4. */
  concurrency?: number
  /** Notifications: a due delivery takes along those whose window closes within this, as one message. */
  digestWindowMs?: number
  /** One attempt: one webhook, or several merged into a digest. Should not throw. */
  send(records: readonly WebhookRecord[], context: SendContext): Promise<SendOutcome>
}

export interface DispatcherOptions {
  store: WebhookStore
  destinations: readonly DispatchTarget[]
  /** Wakes on `stored` (a commit that may have created deliveries); announces `delivery-state`. */
  events?: WebhookEvents
  /** This process in the outbox's leases; default host, pid and a random part. */
  owner?: string
  /** How long a claim holds; must exceed an attempt's timeout. Default 60 s. */
  leaseMs?: number
  /** Delay before each retry, in ms; the last repeats. */
  retrySchedule?: readonly number[]
  /** After this long since the webhook arrived, a delivery that still fails is `failed`. */
  retryMaxAgeMs?: number
  /** Looks for work this often even when told nothing (other processes, expired leases). */
  pollMs?: number
  /** 0..1, for the backoff's jitter. */
  random?: () => number
  now?: () => number
  /** Store failures while dispatching (the dispatcher goes on). Default `console.error`. */
  onError?: (error: unknown) => void
  /**
   * True while intake has the process saturated: each destination then has one attempt in
   * flight, not its `concurrency`. Default `intakeSaturated` over the webhooks this
   * dispatcher is told of.
   */
  busy?: () => boolean
}

export const BUSY_UTILIZATION = 0.7
export const BUSY_INTAKE_PER_S = 200
export const BUSY_WINDOW_MS = 250

/**
 * Intake first: under a load that keeps the event loop busy with webhooks, they are
 * acknowledged at nearly the rate they would be without destinations, and the deliveries
 * trail behind, one at a time per destination, until the load eases. An attempt costs about
 * two webhook intakes of CPU (HTTP out, its claim and its result): at full concurrency, two
 * destinations cut intake to 0.61× of none (pnpm bench:receiver); nothing is lost either way.
 * Saturated means both, over the last window: the event loop was busy more than `utilization`
 * of the time, and at least `perSecond` webhooks came in (`stored()` counts them). Busy alone
 * is no reason: the dispatcher catching up after a burst keeps the loop busy itself.
 */
export function intakeSaturated(
  stored: () => number,
  {
    utilization = BUSY_UTILIZATION,
    perSecond = BUSY_INTAKE_PER_S,
    windowMs = BUSY_WINDOW_MS,
  }: { utilization?: number; perSecond?: number; windowMs?: number } = {}
): () => boolean {
  let mark = performance.eventLoopUtilization()
  let markedAt = performance.now()
  let count = stored()
  let busy = false
  return () => {
    const t = performance.now()
    if (t - markedAt >= windowMs) {
      const now = performance.eventLoopUtilization()
      const rate = ((stored() - count) * 1000) / (t - markedAt)
      busy =
        performance.eventLoopUtilization(now, mark).utilization > utilization && rate >= perSecond
      mark = now
      markedAt = t
      count = stored()
    }
    return busy
  }
}

export interface Dispatcher {
  readonly owner: string
  /** Begins claiming (at once: deliveries left pending by an earlier run go on). */
  start(): void
  /** Looks for due deliveries now. */
  wake(): void
  /** Stops claiming, aborts attempts in flight (recorded as due again now) and waits for them. */
  stop(): Promise<void>
}

/**
 * The outbox's sender: claims due deliveries under a lease, sends each with bounded
 * concurrency per destination, and records the outcome: delivered; retried with jittered
 * backoff along the schedule (never sooner than `Retry-After`); or `failed` after a 4xx other
 * than 408/429, or once the next try would fall past the maximum age (kept, retryable by hand).
 * Pure factory: nothing runs before `start`.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const {
    store,
    events,
    owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs = 60_000,
    retrySchedule = DEFAULT_RETRY_SCHEDULE_MS,
    retryMaxAgeMs = DEFAULT_RETRY_MAX_AGE_MS,
    pollMs = 5_000,
    random = Math.random,
    now = Date.now,
    onError = (error: unknown) => console.error('dispatcher:', error),
  } = options
  // webhooks this dispatcher was told of, for the default `busy`
  let storedSeen = 0
  const busy = options.busy ?? intakeSaturated(() => storedSeen)
  if (retrySchedule.length === 0)
    throw new TypeError('[@up42-webhooks/receiver] empty retry schedule')
  const targets = new Map(options.destinations.map((d) => [d.name, d]))
  const inFlight = new Map<string, number>()
  const attempts = new Set<Promise<void>>()
  const shutdown = new AbortController()
  let started = false
  let stopped = false
  let pumping = false
  let again = false
  let timer: NodeJS.Timeout | null = null
  let timerAt = Number.POSITIVE_INFINITY
  // moments something is known to fall due (retries, digest windows); the poll covers the rest
  const dueTimes = new Set<number>()
  let unsubscribe = () => {}
  const digestWindows = options.destinations
    .map((d) => (d.kind === 'notify' ? (d.digestWindowMs ?? 0) : 0))
    .filter((w) => w > 0)

  const expect = (at: number) => {
    // a burst into one digest window adds one time per webhook: rounded up to 10 ms slots
    // (never before the time itself), one entry per slot
    dueTimes.add(Math.ceil(at / 10) * 10)
    arm()
  }

  function arm(): void {
    if (stopped || !started) return
    const t = now()
    for (const at of dueTimes) if (at <= t) dueTimes.delete(at)
    // a loop, not Math.min(...dueTimes): a burst can leave more times than arguments fit
    let next = t + pollMs
    for (const at of dueTimes) if (at < next) next = at
    if (timer !== null && timerAt <= next) return
    if (timer !== null) clearTimeout(timer)
    timerAt = next
    timer = setTimeout(
      () => {
        timer = null
        timerAt = Number.POSITIVE_INFINITY
        wake()
      },
      Math.max(0, next - t)
    )
    timer.unref()
  }

  function wake(): void {
    if (stopped || !started) return
    if (pumping) {
      again = true
      return
    }
    pumping = true
    void pump()
      .catch(onError)
      .finally(() => {
        pumping = false
        arm()
        if (again && !stopped) {
          again = false
          wake()
        }
      })
  }

  async function pump(): Promise<void> {
    do {
      again = false
      // every destination's claim at once: a store may write them in one transaction
      await Promise.all([...targets.values()].map(claimFor))
    } while (again && !stopped)
  }

  async function claimFor(target: DispatchTarget): Promise<void> {
    if (stopped) return
    const concurrency = busy() ? 1 : (target.concurrency ?? DEFAULT_DESTINATION_CONCURRENCY)
    const free = concurrency - (inFlight.get(target.name) ?? 0)
    if (free <= 0) return
    const t = now()
    const claimed = await store.claimDeliveries({
      owner,
      leaseMs,
      limit: free,
      now: t,
      destinations: [target.name],
    })
    if (claimed.length === 0) return
    const window = target.kind === 'notify' ? (target.digestWindowMs ?? 0) : 0
    if (window > 0) {
      // one message for the burst: every delivery whose window closes before the next one
      const rest = await store.claimDeliveries({
        owner,
        leaseMs,
        limit: MAX_DIGEST - claimed.length,
        now: t + window,
        destinations: [target.name],
      })
      begin(target, [...claimed, ...rest])
      if (claimed.length + rest.length >= MAX_DIGEST) again = true
    } else {
      for (const delivery of claimed) begin(target, [delivery])
      if (claimed.length === free) again = true
    }
  }

  function begin(target: DispatchTarget, deliveries: Delivery[]): void {
    inFlight.set(target.name, (inFlight.get(target.name) ?? 0) + 1)
    const running = attempt(target, deliveries)
      .catch(onError)
      .finally(() => {
        attempts.delete(running)
        inFlight.set(target.name, inFlight.get(target.name)! - 1)
        wake()
      })
    attempts.add(running)
  }

  // a webhook's deliveries to several destinations are claimed together: one read serves them
  const reading = new Map<number, Promise<WebhookRecord | null>>()
  function read(id: number): Promise<WebhookRecord | null> {
    let record = reading.get(id)
    if (record === undefined) {
      record = store.get(id)
      reading.set(id, record)
      const forget = () => reading.delete(id)
      record.then(forget, forget)
    }
    return record
  }

  async function attempt(target: DispatchTarget, deliveries: Delivery[]): Promise<void> {
    const records: WebhookRecord[] = []
    const live: Delivery[] = []
    for (const delivery of deliveries) {
      // deleted meanwhile: its delivery went with it
      const record = await read(delivery.webhookId)
      if (record !== null) {
        records.push(record)
        live.push(delivery)
      }
    }
    if (records.length === 0) return
    const first = records[0]!
    const idempotencyKey = `${first.messageId ?? `webhook-${first.id}`}:${target.name}`
    let outcome: SendOutcome
    try {
      outcome = await target.send(records, { idempotencyKey, signal: shutdown.signal })
    } catch (error) {
      outcome = {
        outcome: 'retry',
        status: null,
        error: error instanceof Error ? error.message : String(error),
        responseExcerpt: null,
        retryAfterMs: null,
        latencyMs: 0,
      }
    }
    for (const delivery of live) {
      const result = resultOf(delivery, outcome, shutdown.signal.aborted)
      const updated = await store.completeDeliveryAttempt(delivery.id, result)
      if (updated === null) continue
      if (updated.state === 'pending' && updated.nextAttemptAt !== null) {
        expect(Date.parse(updated.nextAttemptAt))
      }
      events?.emit({ type: 'delivery-state', delivery: updated })
    }
  }

  function resultOf(
    delivery: Delivery,
    sent: SendOutcome,
    aborted: boolean
  ): DeliveryAttemptResult {
    const at = now()
    const base = {
      owner,
      at,
      status: sent.status,
      error: sent.error,
      responseExcerpt: sent.responseExcerpt,
      latencyMs: sent.latencyMs,
    }
    // shutting down: due again at once, for the next run (or another process)
    if (aborted && sent.outcome !== 'delivered')
      return { ...base, outcome: 'retry', nextAttemptAt: at }
    if (sent.outcome !== 'retry') return { ...base, outcome: sent.outcome }
    const made = delivery.attempts + 1
    const step = retrySchedule[Math.min(made, retrySchedule.length) - 1]!
    // ±20 %: deliveries that failed together do not all come back at the same instant
    const delay = Math.max(Math.round(step * (0.8 + 0.4 * random())), sent.retryAfterMs ?? 0)
    const next = at + delay
    if (next > Date.parse(delivery.createdAt) + retryMaxAgeMs) {
      const reason = `gave up after ${made} attempt${made === 1 ? '' : 's'} (retry max age reached)`
      return {
        ...base,
        outcome: 'failed',
        error: sent.error === null ? reason : `${reason}: ${sent.error}`,
      }
    }
    return { ...base, outcome: 'retry', nextAttemptAt: next }
  }

  return {
    owner,
    start() {
      // nothing to send: no subscription (the intake skips building events nobody reads)
      if (started || stopped || targets.size === 0) return
      started = true
      if (events !== undefined) {
        unsubscribe = events.subscribe((event) => {
          if (event.type === 'stored') {
            storedSeen++
            // after the commit that wrote the webhook's deliveries: no polling delay
            const t = now()
            for (const window of digestWindows) expect(t + window)
            wake()
          } else if (
            event.type === 'delivery-state' &&
            event.delivery.state === 'pending' &&
            event.delivery.nextAttemptAt !== null &&
            Date.parse(event.delivery.nextAttemptAt) <= now()
          ) {
            wake() // retried by hand
          }
        })
      }
      wake()
    },
    wake,
    async stop() {
      if (stopped) return
      stopped = true
      unsubscribe()
      if (timer !== null) clearTimeout(timer)
      shutdown.abort()
      while (attempts.size > 0) await Promise.allSettled([...attempts])
    },
  }
}
