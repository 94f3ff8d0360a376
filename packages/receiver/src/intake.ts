import { compactJson } from './compact-json.ts'
import { withoutCredentials } from '@up42-webhooks/common'
import { InvalidBodyError } from './errors.ts'
import { extractFields } from './extract-fields.ts'
import { signatureVerdict } from './signature-verdict.ts'
import type { Verdict, WebhookInput } from './store.ts'
import { VERDICTS } from './verdicts.ts'

/** A webhook as it arrived (or as an import line describes it), before intake. */
export interface ArrivedWebhook {
  /** The raw body bytes exactly as received. */
  body: Uint8Array
  /** Lower-case headers; credentials are removed by intake. */
  headers: Record<string, string>
  remoteAddress?: string | null
  /** Milliseconds since the epoch; defaults to now. Imports keep the original time. */
  receivedAt?: number
  verdict: Verdict
  /** The `Idempotency-Key` header; deduplicates when the body has no `messageId`. */
  idempotencyKey?: string | null
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The body decoded and parsed, or why it is no webhook: every article recipe indexes the body
 * (`.liveMode`, `.event`), so only a JSON object is one.
 * @throws {InvalidBodyError} `EMPTY`, `NOT_UTF8_JSON` or `NOT_OBJECT`
 */
export function parseWebhookBody(body: Uint8Array): { text: string; parsed: object } {
  if (body.byteLength === 0) throw new InvalidBodyError('empty body', { code: 'EMPTY' })
  let text: string
  let parsed: unknown
  try {
    text = utf8.decode(body)
    parsed = JSON.parse(text)
  } catch (error) {
    throw new InvalidBodyError('the webhook body is not UTF-8 JSON', {
      code: 'NOT_UTF8_JSON',
      cause: error,
    })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidBodyError('body must be a JSON object', { code: 'NOT_OBJECT' })
  }
  return { text, parsed }
}

/**
 * Turns an arrived webhook into the record a store persists: checks the body, reads the
 * envelope fields, decides the dedup key (the body's `messageId`, else the `Idempotency-Key`),
 * computes the dump's one-line form and removes credential headers. Every store gets the same
 * record, so none repeats these rules.
 * @throws {InvalidBodyError} when the body is empty, not UTF-8 JSON or not an object
 */
export function toWebhookInput(arrived: ArrivedWebhook): WebhookInput {
  return recordOf(arrived, parseWebhookBody(arrived.body))
}

function recordOf(
  arrived: ArrivedWebhook,
  { text, parsed }: { text: string; parsed: object }
): WebhookInput {
  const fields = extractFields(parsed)
  const compact = compactJson(text)
  const idempotencyKey = arrived.idempotencyKey ?? null
  return {
    body: arrived.body,
    compactBody: compact === text ? null : compact,
    headers: withoutCredentials(arrived.headers),
    remoteAddress: arrived.remoteAddress ?? null,
    receivedAt: arrived.receivedAt ?? Date.now(),
    verdict: arrived.verdict,
    idempotencyKey,
    dedupKey:
      fields.messageId !== null
        ? `m:${fields.messageId}`
        : idempotencyKey !== null
          ? `k:${idempotencyKey}`
          : null,
    fields,
  }
}

/** Which signatures `/receive-webhooks` checks and requires (see `AppOptions`). */
export interface SignaturePolicy {
  secret: string | string[] | null
  requireSignature: boolean
  requireBodyDigest: boolean
  maxAgeSeconds: number
  now?: (() => number) | undefined
}

/** `/receive-webhooks` refused a webhook because of its signature verdict (401). */
export class SignatureRejectedError extends Error {
  readonly code = 'SIGNATURE_REJECTED'
  readonly verdict: Verdict

  constructor(message: string, options: { verdict: Verdict }) {
    super(message)
    this.name = 'SignatureRejectedError'
    this.verdict = options.verdict
  }
}

/**
 * The intake of `POST /receive-webhooks`: body checks first (nothing is verified for a body
 * that is no webhook), then the signature verdict and the policy, then the record.
 * @param headers - every request header, lower-case
 * @throws {InvalidBodyError} for a body that is no webhook
 * @throws {SignatureRejectedError} when the policy refuses the verdict
 */
export async function intakeRequest(
  request: { body: Uint8Array; headers: Record<string, string>; remoteAddress: string | null },
  policy: SignaturePolicy
): Promise<WebhookInput> {
  const { body, headers } = request
  const parsed = parseWebhookBody(body)
  const verdict =
    policy.secret === null
      ? VERDICTS.unchecked
      : await signatureVerdict(headers, body, policy.secret, policy.maxAgeSeconds, policy.now)
  const accepted = policy.requireBodyDigest
    ? verdict === VERDICTS.verified
    : !policy.requireSignature || verdict === VERDICTS.verified || verdict === VERDICTS.headersOnly
  if (!accepted) throw new SignatureRejectedError(`signature ${verdict}`, { verdict })
  return recordOf(
    {
      body,
      headers,
      remoteAddress: request.remoteAddress,
      verdict,
      idempotencyKey: headers['idempotency-key'] ?? null,
    },
    parsed
  )
}
