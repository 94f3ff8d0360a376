import { WebhookVerificationError } from './errors.ts'
import { isInnerList, parseDictionary } from './structured-fields.ts'

/** The label UP42 gives its signature in `signature-input` and `signature`. */
export const SIGNATURE_LABEL = 'up42-sig'

export interface SignatureInput {
  /** Lowercase header names whose values are concatenated into the string to sign. */
  components: string[]
  /** Unix seconds at which the signature was created. */
  created: number
}

/**
 * Reads the `up42-sig` member of a `signature-input` dictionary
 * (`up42-sig=("date" "content-digest");created=1658759606`). Other members and other
 * parameters (`keyid`, `alg`, …) are ignored.
 * @throws {WebhookVerificationError} MALFORMED_HEADER
 */
export function parseSignatureInput(value: string): SignatureInput {
  const member = parseDictionary(value)?.get(SIGNATURE_LABEL)
  if (member === undefined) {
    throw malformed(`signature-input has no parsable ${SIGNATURE_LABEL} member`)
  }
  if (!isInnerList(member)) {
    throw malformed(`signature-input ${SIGNATURE_LABEL} must be a list of header names`)
  }
  const [items, params] = member
  // structured-headers gives Integers and Decimals alike as numbers: `created=1.0` reads as 1.
  const created = params.get('created')
  if (typeof created !== 'number' || !Number.isInteger(created) || created < 0) {
    throw malformed(`signature-input ${SIGNATURE_LABEL} needs created=<unix seconds>`)
  }
  if (items.length === 0) {
    // An empty list would be a constant per secret: valid forever for any request.
    throw malformed(`signature-input ${SIGNATURE_LABEL} covers no headers`)
  }
  const components: string[] = []
  for (const [item, itemParams] of items) {
    // A Token (`(date)`) is an object, not a string, so it is refused here too.
    if (typeof item !== 'string' || itemParams.size > 0) {
      throw malformed('signature-input components must be plain quoted header names')
    }
    const name = item.toLowerCase()
    // Derived components (RFC 9421 `@method` …) need the request line, which we don't get.
    if (name === '' || name.startsWith('@')) {
      throw malformed('signature-input components must be header names')
    }
    components.push(name)
  }
  return { components, created }
}

function malformed(message: string): WebhookVerificationError {
  return new WebhookVerificationError(message, {
    code: 'MALFORMED_HEADER',
    header: 'signature-input',
  })
}
