import { signedComponents } from './signed-components.ts'

// Names that carry a credential by convention. Matched on the lower-case name, per dash-separated
// word where a bare substring would hit harmless headers (`x-author`, `idempotency-key`).
const EXACT = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'cookie2',
  'set-cookie',
  'set-cookie2',
])
const CREDENTIAL_NAME = new RegExp(
  [
    // x-api-key, api-key, apikey, x-apikey, api_key, x-goog-api-key
    'api[-_]?key',
    // x-auth-token, x-csrf-token, x-amz-security-token, x-access-token …
    'token',
    // x-webhook-secret, x-client-secret …
    'secret',
    'passw(?:or)?d',
    'credential',
    // x-goog-iap-jwt-assertion, cf-access-jwt-assertion
    'jwt',
    // x-forwarded-authorization, x-authentication …; not `*-authenticate` (a challenge, no secret)
    'authori[sz]ation|authentication',
    // x-auth, x-auth-user, x-hub-auth: `auth` as a whole word only
    '(?:^|[-_])auth(?:$|[-_])',
    // x-session-id, session-key: session identifiers are bearer credentials
    '(?:^|[-_])session(?:$|[-_])',
    // ocp-apim-subscription-key, x-access-key, x-private-key
    '(?:subscription|access|private|secret)[-_]?key',
  ].join('|')
)

/**
 * The one rule for which headers are credentials. Used on every path that stores or lets
 * headers out: intake and import, the JSON API (and so the page's "Copy as curl"), export and
 * replay. `signature` and `signature-input` are not credentials: they are needed to re-verify.
 */
export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase()
  if (lower === 'signature' || lower === 'signature-input') return false
  return EXACT.has(lower) || CREDENTIAL_NAME.test(lower)
}

/**
 * The headers without credentials, except those the `signature-input` covers: a signed header
 * is part of what the signature proves, so dropping it would make the delivery unverifiable.
 * Returns a new object (built with fromEntries, so a header named __proto__ stays a plain key).
 */
export function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  // parsed only when a credential is present: intake runs this on every webhook
  let signed: Set<string> | undefined
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => {
      if (!isCredentialHeader(name)) return true
      signed ??= new Set(signedComponents(signatureInputOf(headers)) ?? [])
      return signed.has(name.toLowerCase())
    })
  )
}

function signatureInputOf(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'signature-input') return value
  }
  return undefined
}
