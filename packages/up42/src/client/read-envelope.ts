import { Up42ApiError, Up42NetworkError } from './errors.ts'
import { redactValues } from './redact.ts'

/**
 * Unwraps UP42's `{ data, error }` envelope. A non-null `error` (or a non-2xx status) becomes an
 * {@link Up42ApiError} whose message has every sensitive value redacted. An empty 2xx body (as
 * DELETE may send) yields `null`.
 */
export async function readEnvelope(
  response: Response,
  url: string,
  sensitiveValues: readonly string[]
): Promise<unknown> {
  const text = await response.text()
  const status = response.status
  if (text.trim() === '') {
    if (response.ok) return null
    throw new Up42ApiError(`UP42 answered ${status} with an empty body`, {
      code: `HTTP_${status}`,
      status,
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    if (response.ok) {
      throw new Up42NetworkError(`UP42 answered ${status} with a body that is not JSON`, {
        code: 'INVALID_RESPONSE',
        url,
        cause,
      })
    }
    throw new Up42ApiError(`UP42 answered ${status} with a body that is not JSON`, {
      code: `HTTP_${status}`,
      status,
    })
  }
  const envelope = isRecord(parsed) ? parsed : undefined
  const error = envelope?.error
  if (error !== undefined && error !== null) {
    const fields = isRecord(error) ? error : { message: String(error) }
    const code =
      typeof fields.code === 'string' || typeof fields.code === 'number'
        ? String(fields.code)
        : `HTTP_${status}`
    const message =
      typeof fields.message === 'string' && fields.message !== ''
        ? fields.message
        : `UP42 answered ${status} with an error`
    throw new Up42ApiError(redactValues(message, sensitiveValues), { code, status })
  }
  if (!response.ok) {
    throw new Up42ApiError(`UP42 answered ${status}`, { code: `HTTP_${status}`, status })
  }
  if (!envelope || !('data' in envelope)) {
    throw new Up42NetworkError(`UP42 answered without the { data, error } envelope`, {
      code: 'INVALID_RESPONSE',
      url,
    })
  }
  return envelope.data
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
