import { verifyHmacSha256 } from '#crypto'
import {
  createBodyHasher,
  verifyBodyDigest,
  type BodyDigestHeader,
  type ExpectedDigests,
} from './body-digest.ts'
import { parseContentDigest } from './content-digest.ts'
import { checkContentLength } from './content-length.ts'
import { checkContentType } from './content-type.ts'
import { parseDigestHeader } from './digest-header.ts'
import { WebhookVerificationError } from './errors.ts'
import { createHeaderReader, type HeaderInput, type HeaderReader } from './headers.ts'
import { parseHttpDate } from './http-date.ts'
import { parseSignatureHeader } from './signature-header.ts'
import { parseSignatureInput } from './signature-input.ts'

/** A signature created this long ago or earlier is rejected (the original's strict `< 300`). */
export const DEFAULT_MAX_AGE_SECONDS = 300
/** How far in the future `created` may lie, to tolerate clock skew between UP42 and us. */
export const DEFAULT_FUTURE_SKEW_SECONDS = 30

export interface WebhookRequest {
  headers: HeaderInput
  /** The raw body exactly as received; a string is hashed as UTF-8. */
  body: string | Uint8Array
}

export interface VerifyWebhookOptions {
  /** The webhook secret, or several during a rotation: any may match. */
  secret: string | readonly string[]
  /** Current Unix time in seconds; defaults to the clock. */
  now?: number
  maxAgeSeconds?: number
  futureSkewSeconds?: number
  /** Reject signatures that do not cover a `content-digest` or `digest` header. */
  requireBodyDigest?: boolean
}

export interface VerifiedWebhook {
  /** Unix seconds from `signature-input`. Not itself signed: see the README. */
  created: number
  /** Lowercase header names the signature covers, in signing order. */
  components: string[]
  /** Index into `options.secret` (0 for a single secret) of the secret that matched. */
  secretIndex: number
  /**
   * Whether a signed digest header was recomputed from the body and matched: only then is the
   * body authenticated. `false` proves only that the signed header values came from a holder
   * of the secret, at some time, for some body.
   */
  bodyCovered: boolean
}

/**
 * Verifies an UP42 webhook: the `up42-sig` HMAC-SHA256 over the values of the headers listed in
 * `signature-input`, the `created` timestamp (and a signed `date`, which must agree with it),
 * and any signed `content-digest`/`digest` against the raw body. Signed `date`,
 * `content-digest`, `digest`, `content-type` and `content-length` must parse strictly first.
 *
 * @param request - `{ headers, body }` with the raw, unparsed body
 * @param options - `{ secret, now?, maxAgeSeconds? = 300, futureSkewSeconds? = 30, requireBodyDigest? }`
 * @returns what was verified
 * @throws {WebhookVerificationError} (as a rejection) when the delivery cannot be trusted
 * @throws {TypeError} (as a rejection) when the caller passes an empty secret, a body that is
 *   neither string nor bytes, or headers that are not a record or `Headers`
 * @example
 * const { bodyCovered } = await verifyWebhook(
 *   { headers: req.headers, body: rawBody },
 *   { secret: process.env.WEBHOOK_SECRET, requireBodyDigest: true }
 * )
 */
export async function verifyWebhook(
  request: WebhookRequest,
  options: VerifyWebhookOptions
): Promise<VerifiedWebhook> {
  const { secrets, now, maxAgeSeconds, futureSkewSeconds, requireBodyDigest } = readOptions(options)
  if (typeof request !== 'object' || request === null) {
    throw new TypeError('[@up42-webhooks/shared] request must be { headers, body }')
  }
  const { body } = request
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TypeError('[@up42-webhooks/shared] body must be a string or a Uint8Array')
  }
  const readHeader = createHeaderReader(request.headers)

  const inputHeader = readHeader('signature-input')
  if (inputHeader === undefined) throw missing('signature-input')
  const signatureHeader = readHeader('signature')
  if (signatureHeader === undefined) throw missing('signature')
  const { components, created } = parseSignatureInput(inputHeader)
  const signature = parseSignatureHeader(signatureHeader)

  if (now - created >= maxAgeSeconds) {
    throw new WebhookVerificationError(`signature is older than ${maxAgeSeconds} s`, {
      code: 'TIMESTAMP_TOO_OLD',
      header: 'signature-input',
    })
  }
  if (created - now > futureSkewSeconds) {
    throw new WebhookVerificationError(
      `signature is more than ${futureSkewSeconds} s in the future`,
      { code: 'TIMESTAMP_IN_FUTURE', header: 'signature-input' }
    )
  }

  const { stringToSign, date, digests } = readCovered(components, readHeader)
  if (date !== undefined) {
    // `created` is not signed but a signed `date` is: it must tell the same time, and that time
    // must pass the same window. Otherwise anyone could re-date an old delivery.
    if (Math.abs(created - date) > futureSkewSeconds) {
      throw new WebhookVerificationError(
        `signature-input created is more than ${futureSkewSeconds} s away from the signed date`,
        { code: 'MALFORMED_HEADER', header: 'signature-input' }
      )
    }
    if (now - date >= maxAgeSeconds) {
      throw new WebhookVerificationError(`signed date is older than ${maxAgeSeconds} s`, {
        code: 'TIMESTAMP_TOO_OLD',
        header: 'date',
      })
    }
    if (date - now > futureSkewSeconds) {
      throw new WebhookVerificationError(
        `signed date is more than ${futureSkewSeconds} s in the future`,
        { code: 'TIMESTAMP_IN_FUTURE', header: 'date' }
      )
    }
  }

  let secretIndex = -1
  for (let i = 0; i < secrets.length && secretIndex < 0; i++) {
    if (await verifyHmacSha256(secrets[i]!, stringToSign, signature)) secretIndex = i
  }
  if (secretIndex < 0) {
    throw new WebhookVerificationError('signature does not match', {
      code: 'SIGNATURE_MISMATCH',
      header: 'signature',
    })
  }

  // Only now, with the headers authenticated, is the body compared: checking digests first
  // would let anyone probe which body matches a digest without knowing the secret.
  if (digests.size === 0) {
    if (requireBodyDigest) {
      throw new WebhookVerificationError('signature does not cover a body digest', {
        code: 'BODY_NOT_SIGNED',
        header: 'signature-input',
      })
    }
    return { created, components, secretIndex, bodyCovered: false }
  }
  const hash = createBodyHasher(body)
  for (const [name, expected] of digests) {
    const pending = verifyBodyDigest(name, expected, hash)
    if (pending !== undefined) await pending
  }
  return { created, components, secretIndex, bodyCovered: true }
}

/**
 * Builds the string to sign from the covered headers, parsing each one whose grammar is known.
 * UP42 joins the values without a separator and does not sign the component list, so
 * `("date" "content-digest")` and `("date")` with both values in `date` sign the same string;
 * only strict parsing of each value stops such a re-split.
 */
function readCovered(components: readonly string[], readHeader: HeaderReader) {
  let stringToSign = ''
  let date: number | undefined
  const digests = new Map<BodyDigestHeader, ExpectedDigests>()
  for (const name of components) {
    const value = readHeader(name)
    if (value === undefined) throw missing(name)
    stringToSign += value
    switch (name) {
      case 'date':
        date = parseHttpDate(value)
        break
      case 'content-digest':
        digests.set(name, parseContentDigest(value))
        break
      case 'digest':
        digests.set(name, parseDigestHeader(value))
        break
      case 'content-type':
        checkContentType(value)
        break
      case 'content-length':
        checkContentLength(value)
        break
    }
  }
  return { stringToSign, date, digests }
}

function readOptions(options: VerifyWebhookOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('[@up42-webhooks/shared] options with a secret required')
  }
  const { secret } = options
  const secrets: readonly unknown[] = typeof secret === 'string' ? [secret] : secret
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new TypeError('[@up42-webhooks/shared] secret required')
  }
  for (const candidate of secrets) {
    if (typeof candidate !== 'string' || candidate === '') {
      throw new TypeError('[@up42-webhooks/shared] secret required')
    }
  }
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS
  const futureSkewSeconds = options.futureSkewSeconds ?? DEFAULT_FUTURE_SKEW_SECONDS
  if (!isNonNegative(now) || !isNonNegative(maxAgeSeconds) || !isNonNegative(futureSkewSeconds)) {
    throw new TypeError(
      '[@up42-webhooks/shared] now, maxAgeSeconds and futureSkewSeconds must be non-negative numbers'
    )
  }
  return {
    secrets: secrets as readonly string[],
    now,
    maxAgeSeconds,
    futureSkewSeconds,
    requireBodyDigest: options.requireBodyDigest === true,
  }
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && value >= 0
}

function missing(header: string): WebhookVerificationError {
  return new WebhookVerificationError(`${header} header is missing`, {
    code: 'MISSING_HEADER',
    header,
  })
}
