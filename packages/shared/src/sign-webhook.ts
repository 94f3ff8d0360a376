import { encodeBase64, hmacSha256 } from '#crypto'
import { createContentDigest } from './content-digest.ts'
import { createDigest } from './digest-header.ts'
import { SIGNATURE_LABEL } from './signature-input.ts'

/** What `signWebhook` signs when no component list is given: the body via its digest, and a date. */
export const DEFAULT_SIGNED_COMPONENTS = ['date', 'content-digest'] as const

export interface SignWebhookOptions {
  /** The exact body that will be sent; a string is hashed as UTF-8. */
  body: string | Uint8Array
  secret: string
  /** Unix seconds; defaults to the clock. */
  created?: number
  /** Header names to sign, in order. Defaults to `['date', 'content-digest']`. */
  components?: readonly string[]
  /** Values for listed components that are not generated (`date`, `content-digest`, `digest`). */
  headers?: Readonly<Record<string, string>>
}

// An RFC 9110 field name, so it survives HTTP and serialises as an RFC 8941 string unescaped.
const FIELD_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/
// A field value that HTTP carries byte for byte: no control characters, no outer whitespace.
const FIELD_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/

/**
 * Signs a webhook the way UP42 does, for tests, the simulator and replays.
 *
 * @param options - `{ body, secret, created?, components?, headers? }`
 * @returns lowercase headers to send: `signature-input`, `signature`, and the generated `date`
 *   (HTTP date of `created`), `content-digest` (`sha-256` of the body) or `digest` when listed
 *   and not supplied in `headers`
 * @throws {TypeError} (as a rejection) for an empty secret, a bad body, component or `created`,
 *   or a listed component with no value
 * @example
 * const headers = await signWebhook({ body, secret: 'QWZTFnMEXhqZKNmu' })
 * await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body })
 */
export async function signWebhook(options: SignWebhookOptions): Promise<Record<string, string>> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('[@up42-webhooks/shared] options required')
  }
  const { body, secret } = options
  if (typeof secret !== 'string' || secret === '') {
    throw new TypeError('[@up42-webhooks/shared] secret required')
  }
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TypeError('[@up42-webhooks/shared] body must be a string or a Uint8Array')
  }
  const created = options.created ?? Math.floor(Date.now() / 1000)
  if (!Number.isSafeInteger(created) || created < 0) {
    throw new TypeError('[@up42-webhooks/shared] created must be a non-negative integer')
  }
  const components = (options.components ?? DEFAULT_SIGNED_COMPONENTS).map((name) =>
    String(name).toLowerCase()
  )
  if (components.length === 0 || !components.every((name) => FIELD_NAME.test(name))) {
    throw new TypeError('[@up42-webhooks/shared] components must be one or more header names')
  }
  if (components.includes('signature') || components.includes('signature-input')) {
    throw new TypeError('[@up42-webhooks/shared] a signature cannot cover its own headers')
  }
  const supplied = new Map<string, string>()
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    supplied.set(name.toLowerCase(), value)
  }

  const generated = new Map<string, string>()
  let stringToSign = ''
  for (const name of components) {
    let value = supplied.get(name) ?? generated.get(name)
    if (value === undefined) {
      value = await generate(name, created, body)
      generated.set(name, value)
    }
    if (typeof value !== 'string' || !FIELD_VALUE.test(value)) {
      throw new TypeError(
        `[@up42-webhooks/shared] header ${name} must be a value HTTP carries unchanged`
      )
    }
    stringToSign += value
  }
  const mac = await hmacSha256(secret, stringToSign)
  const list = components.map((name) => `"${name}"`).join(' ')
  generated.set('signature-input', `${SIGNATURE_LABEL}=(${list});created=${created}`)
  generated.set('signature', `${SIGNATURE_LABEL}=${encodeBase64(mac)}`)
  return Object.fromEntries(generated)
}

async function generate(name: string, created: number, body: string | Uint8Array): Promise<string> {
  switch (name) {
    case 'date':
      return new Date(created * 1000).toUTCString()
    case 'content-digest':
      return createContentDigest(body)
    case 'digest':
      return createDigest(body)
    default:
      throw new TypeError(`[@up42-webhooks/shared] no value for signed header ${name}`)
  }
}
