import {
  isNotifiable,
  parseEvent,
  verifyWebhook,
  WebhookPayloadError,
  WebhookVerificationError,
} from '@up42-webhooks/shared'
import type { ValidateConfig } from './config.ts'
import {
  normalizeHeaders,
  rawBodyOf,
  type BodySource,
  type HttpTriggerEvent,
} from './trigger-event.ts'

/** What a valid, notifiable delivery is; small and JSON-safe so a step can export it. */
export interface Verdict {
  event: string
  status: string | null
  liveMode: boolean
  messageId: string
  jobId: string | null
  orderId: string | null
  /** `created` from signature-input, unix seconds. */
  created: number
  components: string[]
  /** True when a body digest was signed and matched, i.e. the body itself is authenticated. */
  bodyCovered: boolean
  /** 'reconstructed' means the trigger gave no raw body and JSON.stringify(body) was verified. */
  bodySource: BodySource
}

export interface IgnoredOutcome {
  outcome: 'ignored'
  reason: string
  event: string
  status: string | null
}

export interface RejectedOutcome {
  outcome: 'rejected'
  code: string
  reason: string
}

export type ValidationResult =
  { ok: true; verdict: Verdict } | { ok: false; result: IgnoredOutcome | RejectedOutcome }

export interface ValidateOptions {
  /** Unix seconds to check `created` against; a re-run passes the time of its first run. */
  now?: number | undefined
}

function rejected(code: string, reason: string): ValidationResult {
  return { ok: false, result: { outcome: 'rejected', code, reason } }
}

/**
 * Verifies the signature over the raw body, parses the envelope and applies the status filter.
 * Failures are outcomes, not exceptions: only misconfiguration or a bug throws.
 */
export async function validateWebhook(
  event: HttpTriggerEvent,
  config: ValidateConfig,
  options: ValidateOptions = {}
): Promise<ValidationResult> {
  const body = rawBodyOf(event)
  const headers = normalizeHeaders(event.headers)
  let verified: Awaited<ReturnType<typeof verifyWebhook>>
  try {
    verified = await verifyWebhook(
      { headers, body: body.text },
      {
        secret: config.secret,
        requireBodyDigest: config.requireBodyDigest,
        ...(options.now === undefined ? {} : { now: options.now }),
      }
    )
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error
    const header = error.header ? ` (${error.header})` : ''
    return rejected(error.code, `signature rejected: ${error.code}${header}`)
  }
  let parsed: ReturnType<typeof parseEvent>
  try {
    parsed = parseEvent(body.text)
  } catch (error) {
    if (!(error instanceof WebhookPayloadError)) throw error
    const field = error.field ? ` (${error.field})` : ''
    return rejected(error.code, `payload rejected: ${error.code}${field}`)
  }
  const status = parsed.status ?? null
  const notifiable = isNotifiable(parsed, config.statuses ? { statuses: config.statuses } : {})
  if (!notifiable) {
    return {
      ok: false,
      result: {
        outcome: 'ignored',
        reason: `${parsed.event} with status ${status ?? '(none)'} is not notifiable`,
        event: parsed.event,
        status,
      },
    }
  }
  return {
    ok: true,
    verdict: {
      event: parsed.event,
      status,
      liveMode: parsed.liveMode,
      messageId: parsed.messageId,
      jobId: 'jobId' in parsed ? (parsed.jobId ?? null) : null,
      orderId: 'orderId' in parsed ? (parsed.orderId ?? null) : null,
      created: verified.created,
      components: verified.components,
      bodyCovered: verified.bodyCovered,
      bodySource: body.source,
    },
  }
}
