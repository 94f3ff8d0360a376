import type { Channel } from './channel.ts'

const MASK = '***'

/**
 * Query parameters whose value is a credential in the URLs people paste: ntfy `auth`, the
 * Power Automate / Azure `sig` (and `code` of Azure Functions), and the usual token names.
 */
const SECRET_QUERY_PARAMS = new Set([
  'auth',
  'sig',
  'signature',
  'code',
  'token',
  'access_token',
  'key',
  'apikey',
  'api_key',
  'secret',
  'password',
])

/**
 * Every secret part of a destination's target, raw and decoded: user info, secret query values,
 * and the path token of Slack (`/services/T…/B…/<token>`) and Discord (`/webhooks/<id>/<token>`)
 * URLs. Used to mask error messages and response excerpts.
 */
export function secretsOf(channel: Channel, target: string): string[] {
  if (channel === 'desktop') return []
  if (channel === 'cmd') return []
  const url = urlOf(channel, target)
  if (url === undefined) return [target]
  const secrets = [url.username, url.password]
  for (const [name, value] of url.searchParams) {
    if (SECRET_QUERY_PARAMS.has(name.toLowerCase())) secrets.push(value)
  }
  const tokenIndex = pathTokenIndex(channel, url)
  if (tokenIndex !== undefined) secrets.push(url.pathname.split('/')[tokenIndex] ?? '')
  const all = new Set<string>()
  for (const secret of secrets) {
    if (secret === '') continue
    all.add(secret)
    all.add(safeDecode(secret))
    all.add(encodeURIComponent(safeDecode(secret)))
  }
  return [...all]
}

/** `target` as shown to people: the same URL with each secret part replaced by `***`. */
export function displayOf(channel: Channel, target: string): string {
  if (channel === 'desktop') return 'desktop:'
  if (channel === 'cmd') {
    // A command line may carry a token as an argument; show the program only.
    const line = target.slice('cmd:'.length).trim()
    const program = /^\S+/.exec(line)?.[0] ?? ''
    return `cmd:${program}${program.length < line.length ? ' …' : ''}`
  }
  const url = urlOf(channel, target)
  if (url === undefined) return `${channel}:${MASK}`
  const prefix = target.slice(0, target.length - urlText(channel, target).length)
  if (url.username !== '' || url.password !== '') {
    url.username = MASK
    url.password = ''
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_QUERY_PARAMS.has(name.toLowerCase())) url.searchParams.set(name, MASK)
  }
  const tokenIndex = pathTokenIndex(channel, url)
  if (tokenIndex !== undefined) {
    const segments = url.pathname.split('/')
    segments[tokenIndex] = MASK
    url.pathname = segments.join('/')
  }
  return `${prefix}${url.href}`
}

/**
 * `text` with every occurrence of each secret replaced by `***` (longest first, so a secret
 * containing another is masked whole).
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== '') masked = masked.split(secret).join(MASK)
  }
  return masked
}

/** The URL part of a target: after the `channel+` prefix when there is one. */
export function urlText(channel: Channel, target: string): string {
  const prefix = `${channel}+`
  return target.toLowerCase().startsWith(prefix) ? target.slice(prefix.length) : target
}

function urlOf(channel: Channel, target: string): URL | undefined {
  const text = urlText(channel, target)
  return URL.canParse(text) ? new URL(text) : undefined
}

function pathTokenIndex(channel: Channel, url: URL): number | undefined {
  const segments = url.pathname.split('/')
  if (channel === 'slack') {
    // `/services/T…/B…/<token>`; a Slack-compatible service's hook path ends in its token too.
    const last = segments.length - 1
    return last > 0 && segments[last] !== '' ? last : undefined
  }
  if (channel === 'discord') {
    const webhooks = segments.indexOf('webhooks')
    const index = webhooks === -1 ? segments.length - 1 : webhooks + 2
    return index > 0 && (segments[index] ?? '') !== '' ? index : undefined
  }
  return undefined
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
