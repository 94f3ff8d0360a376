import {
  isNotifiable,
  parseEvent,
  verifyWebhook,
  WebhookPayloadError,
  WebhookVerificationError,
} from '@up42-webhooks/shared'
import type { ValidateConfig } from './config.ts'
import { bodyText, type WebhookDelivery } from './webhook-delivery.ts'

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

function rejected(code: string, reason: string): ValidationResult {
  return { ok: false, result: { outcome: 'rejected', code, reason } }
}

/**
 * Verifies the signature over the raw body as of `delivery.receivedAt`, parses the envelope and
 * applies the status filter. Failures are outcomes, not exceptions: only misconfiguration or a
 * bug throws.
 */
export async function validateWebhook(
  delivery: WebhookDelivery,
  config: ValidateConfig
): Promise<ValidationResult> {
  let verified: Awaited<ReturnType<typeof verifyWebhook>>
  try {
    verified = await verifyWebhook(
      { headers: delivery.headers, body: delivery.body },
      {
        secret: config.secret,
        requireBodyDigest: config.requireBodyDigest,
        now: Math.floor(delivery.receivedAt.getTime() / 1000),
      }
    )
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error
    const header = error.header ? ` (${error.header})` : ''
    return rejected(error.code, `signature rejected: ${error.code}${header}`)
  }
  let parsed: ReturnType<typeof parseEvent>
  try {
    parsed = parseEvent(bodyText(delivery))
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
    },
  }
}
