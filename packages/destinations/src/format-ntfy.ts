import { encodeBasicAuth, splitUrlCredentials } from '@up42-webhooks/common'
import type { FormatOptions, HttpRequestSpec } from './http-request.ts'
import { messageText, messageTitle, worstOutcome, isTest } from './notice-text.ts'
import { truncate } from './truncate.ts'
import type { WebhookNotice } from './webhook-notice.ts'

/** ntfy turns a longer body into an attachment (its default message-size-limit is 4 KiB). */
const MAX_BODY = 3900

const TAGS = { failure: 'x', success: 'white_check_mark', neutral: 'information_source' } as const

/**
 * An ntfy publish (https://docs.ntfy.sh/publish/): the text as body, `Title`, `Priority` (high
 * for failures), `Tags` (emoji shortcodes), and `Click` to the inspector when there is a link.
 * `user:pass@` becomes basic auth, `:token@` a bearer token; `?auth=` is taken off the URL and
 * becomes the Authorization header it encodes (see authorizationOfAuthParam).
 */
export function formatNtfy(
  url: string,
  notices: readonly WebhookNotice[],
  options: FormatOptions
): HttpRequestSpec {
  const { url: bare, username, password } = splitUrlCredentials(url)
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    title: messageTitle(notices),
    priority: worstOutcome(notices) === 'failure' ? 'high' : 'default',
    tags: [
      TAGS[worstOutcome(notices)],
      'up42',
      ...(notices.some(isTest) ? ['test_tube'] : []),
    ].join(','),
  }
  const click =
    notices.length === 1 ? (notices[0]!.inspectorUrl ?? options.publicUrl) : options.publicUrl
  if (click) headers.click = click
  const auth = bare.searchParams.get('auth')
  bare.searchParams.delete('auth')
  if (auth !== null) headers.authorization = authorizationOfAuthParam(auth)
  else if (username === undefined && password !== undefined)
    headers.authorization = `Bearer ${password}`
  else if (username !== undefined) headers.authorization = encodeBasicAuth(username, password ?? '')
  return { url: bare.href, headers, body: truncate(messageText(notices), MAX_BODY) }
}

/**
 * ntfy's `?auth=` is the Authorization header value, base64-encoded without padding
 * (docs.ntfy.sh/publish/#query-param: `?auth=QmFzaWMgZEdWemRIVnpaWEk2Wm1GclpYQmhjM04zYjNKaw` is
 * `Basic dGVzdHVzZXI6ZmFrZXBhc3N3b3Jk`). A value that does not decode to `Basic …` / `Bearer …`
 * is taken as an access token (`tk_…`), which is what people paste.
 */
export function authorizationOfAuthParam(value: string): string {
  try {
    const base64 = value.replace(/-/g, '+').replace(/_/g, '/')
    const decoded = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))
    if (/^(Basic|Bearer) [\x21-\x7e]+$/.test(decoded)) return decoded
  } catch {
    // not base64: a token
  }
  return `Bearer ${value}`
}
