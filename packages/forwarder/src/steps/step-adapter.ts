import { ConfigurationError } from '@pipedream/platform'
import type { Env } from '../core/config.ts'
import { ConfigError, ForwardError, type ForwardErrorCode } from '../core/errors.ts'
import { GiveUpError } from './give-up-error.ts'
import type { ForwardedOutcome, RelayOutcome } from '../core/relay-webhook.ts'
import type { IgnoredOutcome, RejectedOutcome, Verdict } from '../core/validate-webhook.ts'
import type { WebhookDelivery } from '../core/webhook-delivery.ts'
import type { PipedreamDollar } from './pipedream-types.ts'
import { planRerun } from './rerun-plan.ts'
import { resolveRerunConfig, type ForwarderProps, type RerunConfig } from './rerun-config.ts'
import { toDelivery, type BodySource, type HttpTriggerEvent } from './trigger-event.ts'

/**
 * Failures that waiting or a fix on either side can cure. A 401/403 is among them: correcting the
 * password lets the pending re-runs deliver, failing at once would drop the webhook. A rejection
 * (another 4xx) or a ConfigError cannot be cured by a re-run of the same event.
 */
const RERUNNABLE: ReadonlySet<ForwardErrorCode> = new Set([
  'RECEIVER_UNREACHABLE',
  'PING_FAILED',
  'RECEIVER_AUTH_FAILED',
  'TIMEOUT',
  'RECEIVER_ERROR',
])

export interface RerunScheduled {
  outcome: 'rerun-scheduled'
  code: ForwardErrorCode
  reason: string
  /** The receiver's HTTP status, when it answered at all. */
  status?: number | undefined
  delayMs: number
  /** This execution's `$.context.run.runs`. */
  run: number
  maxReruns: number
}

/** What a re-run gets back in `$.context.run.context`. */
export interface RerunContext {
  /** Unix seconds of the first run: re-runs verify the signature as of then. */
  firstRunAt: number
}

export function currentRun($: PipedreamDollar): { runs: number; firstRunAt: number } {
  const run = $.context?.run
  const runs = typeof run?.runs === 'number' && run.runs >= 1 ? run.runs : 1
  const previous = run?.context as Partial<RerunContext> | null | undefined
  const firstRunAt =
    runs > 1 && typeof previous?.firstRunAt === 'number'
      ? previous.firstRunAt
      : Math.floor(Date.now() / 1000)
  return { runs, firstRunAt }
}

/**
 * Resolves the step's settings. A ConfigError becomes Pipedream's ConfigurationError, which the
 * platform shows as a configuration problem of the step; `variable` still names the variable (never
 * its value).
 */
export function stepConfig<T>(resolve: () => T): T {
  try {
    return resolve()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw Object.assign(new ConfigurationError(error.message), { variable: error.variable })
  }
}

/** The trigger's event as the core's input; on a re-run it "arrived" at the first run. */
export function deliveryOf(
  event: HttpTriggerEvent,
  $: PipedreamDollar
): { delivery: WebhookDelivery; bodySource: BodySource } {
  return toDelivery(event, new Date(currentRun($).firstRunAt * 1000))
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`
  if (ms % 60_000 === 0) return `${ms / 60_000} min`
  if (ms % 1000 === 0) return `${ms / 1000} s`
  return `${ms} ms`
}

/** `return exitWith($, result)`: Pipedream keeps running the step's code unless exit is returned. */
export function exitWith($: PipedreamDollar, result: IgnoredOutcome | RejectedOutcome): void {
  const label = result.outcome === 'ignored' ? 'Ignored' : 'Rejected'
  $.export('$summary', `${label}: ${result.reason}`)
  $.export('outcome', result)
  return $.flow.exit(result.reason)
}

/** Exports the verdict with where its body came from, and returns what was exported. */
export function exportVerdict(
  $: PipedreamDollar,
  core: Verdict,
  bodySource: BodySource
): Verdict & { bodySource: BodySource } {
  const verdict = { ...core, bodySource }
  const id = verdict.jobId ?? verdict.orderId
  $.export(
    '$summary',
    `Valid ${verdict.liveMode ? 'live' : 'test'} ${verdict.event} ${verdict.status ?? ''}${id ? ` for ${id}` : ''}`
  )
  $.export('verdict', verdict)
  if (verdict.bodySource === 'reconstructed') {
    $.export(
      'warning',
      'The trigger gave no event.bodyRaw: the signature was checked against JSON.stringify(event.body), which matches only compact JSON. If valid webhooks get rejected, use a trigger that provides the raw body.'
    )
  }
  return verdict
}

export function exportForwarded(
  $: PipedreamDollar,
  outcome: ForwardedOutcome,
  receiverUrl: string
): void {
  const stored = outcome.duplicate ? 'already stored as' : 'stored as'
  $.export(
    '$summary',
    `Forwarded to ${receiverUrl}: ${stored} key ${outcome.key ?? '?'} (HTTP ${outcome.status}; POST attempts ${outcome.postAttempts}, pings ${outcome.pingAttempts})`
  )
  $.export('reply', outcome.reply)
  $.export('outcome', outcome)
}

/**
 * Runs `forward`; when the receiver is unreachable or refuses the credentials, asks Pipedream to
 * re-run this step later (growing delays) instead of dropping the webhook. Past the maximum wait
 * it throws, so the workflow fails and Pipedream's error notification fires. `forward` calls
 * `ready()` just before it contacts the receiver: the re-run settings are read then, so a
 * delivery that is rejected never depends on them.
 */
export async function forwardOrRerun<T extends RelayOutcome>(
  $: PipedreamDollar,
  props: ForwarderProps,
  env: Env,
  forward: (ready: () => void) => Promise<T>
): Promise<T | RerunScheduled> {
  let rerunConfig: RerunConfig | undefined
  const ready = () => {
    rerunConfig = stepConfig(() => resolveRerunConfig(props, env))
  }
  const { runs, firstRunAt } = currentRun($)
  try {
    return await forward(ready)
  } catch (error) {
    if (!(error instanceof ForwardError) || !RERUNNABLE.has(error.code) || !rerunConfig) throw error
    const plan = planRerun(runs, rerunConfig)
    if (plan.giveUp) {
      throw new GiveUpError(
        `Gave up forwarding after ${runs} run${runs === 1 ? '' : 's'} over ${formatDuration(plan.waitedMs)}: ${error.message}`,
        { code: error.code, runs, waitedMs: plan.waitedMs, cause: error }
      )
    }
    const context: RerunContext = { firstRunAt }
    $.flow.rerun(plan.delayMs, context, plan.maxReruns)
    const scheduled: RerunScheduled = {
      outcome: 'rerun-scheduled',
      code: error.code,
      reason: error.message,
      ...(error.status === undefined ? {} : { status: error.status }),
      delayMs: plan.delayMs,
      run: runs,
      maxReruns: plan.maxReruns,
    }
    const why =
      error.code === 'RECEIVER_AUTH_FAILED'
        ? `Receiver refused the request (${error.code}): ${error.message}`
        : `Receiver not reachable (${error.code})`
    $.export(
      '$summary',
      `${why}; re-run ${runs} of ${plan.maxReruns} in ${formatDuration(plan.delayMs)}`
    )
    $.export('outcome', scheduled)
    return scheduled
  }
}

/** Maps the core's outcome onto Pipedream: exit for ignored/rejected, exports for forwarded. */
export function finish(
  $: PipedreamDollar,
  outcome: RelayOutcome | RerunScheduled,
  receiverUrl: string
): ForwardedOutcome | RerunScheduled | undefined {
  if (outcome.outcome === 'ignored' || outcome.outcome === 'rejected') {
    exitWith($, outcome)
    return undefined
  }
  if (outcome.outcome === 'forwarded') exportForwarded($, outcome, receiverUrl)
  return outcome
}
