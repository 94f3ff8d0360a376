import { WebhookVerificationError } from './errors.ts'

// RFC 9110 §8.3.1 / §5.6: media-type = token "/" token *( OWS ";" OWS [ token "=" ( token /
// quoted-string ) ] ). Sticky patterns scanned in sequence, so nothing ever backtracks.
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y
const QUOTED_STRING = /"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"/y
const OWS = /[ \t]*/y

/**
 * Checks that a `content-type` is one media type with well-formed parameters
 * (`application/json; charset=utf-8`), nothing before or after it.
 * @throws {WebhookVerificationError} MALFORMED_HEADER (header `content-type`)
 */
export function checkContentType(value: string): void {
  let at = scan(TOKEN, value, 0)
  if (value[at] !== '/') throw malformed()
  at = scan(TOKEN, value, at + 1)
  while (at < value.length) {
    at = scan(OWS, value, at)
    if (value[at] !== ';') throw malformed()
    at = scan(OWS, value, at + 1)
    // An empty parameter (`text/plain;`, `a/b;;c=d`) is allowed by the grammar.
    if (at === value.length || value[at] === ';') continue
    at = scan(TOKEN, value, at)
    if (value[at] !== '=') throw malformed()
    at = scan(value[at + 1] === '"' ? QUOTED_STRING : TOKEN, value, at + 1)
  }
}

/** Index after `pattern` matched at `at`. */
function scan(pattern: RegExp, value: string, at: number): number {
  pattern.lastIndex = at
  if (!pattern.test(value)) throw malformed()
  return pattern.lastIndex
}

function malformed(): WebhookVerificationError {
  return new WebhookVerificationError('content-type is not a media type (RFC 9110)', {
    code: 'MALFORMED_HEADER',
    header: 'content-type',
  })
}
