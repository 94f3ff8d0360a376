import { isIPv6 } from 'node:net'
import type { MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { requestHeader } from './request-header.ts'
import type { NodeContext } from './request-header.ts'

/** A Host header split into its lower-case hostname (IPv6 without brackets) and its port. */
export interface HostParts {
  hostname: string
  port: string | null
}

/** Always allowed, as Vite does: names and addresses only this machine answers. */
export const LOOPBACK_HOSTS: readonly string[] = [
  'localhost',
  '*.localhost',
  '127.0.0.0/8',
  '[::1]',
]

const HOST_HEADER = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::(\d{1,5}))?$/i
const NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/
const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** Thrown by `parseAllowedHosts` for an entry that is not a host name or IP address. */
export class AllowedHostError extends Error {
  readonly code = 'INVALID_ALLOWED_HOST'
  readonly entry: string

  constructor(message: string, options: { entry: string }) {
    super(message)
    this.name = 'AllowedHostError'
    this.entry = options.entry
  }
}

// the form Node and URL print, so "[0:0::1]" in a list matches a Host of "[::1]"
const canonicalIPv6 = (address: string): string =>
  new URL(`http://[${address}]`).hostname.slice(1, -1)

/** `evil.example:9888` → `{ hostname: 'evil.example', port: '9888' }`; null when malformed. */
export function parseHostHeader(value: string): HostParts | null {
  const match = HOST_HEADER.exec(value)
  if (match === null) return null
  const [, ipv6, name, port = null] = match
  if (ipv6 !== undefined) return isIPv6(ipv6) ? { hostname: canonicalIPv6(ipv6), port } : null
  return { hostname: name!.toLowerCase(), port }
}

/** The request's Host (the URL's authority under `app.request`, where there may be none). */
export function requestHost(c: NodeContext): string {
  return requestHeader(c, 'host') ?? new URL(c.req.url).host
}

/** `localhost`, `*.localhost` (RFC 6761: never resolved elsewhere), 127.0.0.0/8, `::1`. */
export function isLoopbackHostname(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '::1') return true
  const octets = IPV4_LOOPBACK.exec(hostname)
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255)
}

function normalizeEntry(entry: string): string | null {
  const value = entry.trim().toLowerCase()
  const bare = value.replace(/^\[(.*)\]$/, '$1')
  // a zone (fe80::1%eth0) is no part of a Host header
  if (isIPv6(bare)) return bare.includes('%') ? null : canonicalIPv6(bare)
  const name = value.startsWith('.') ? value.slice(1) : value
  return NAME.test(name) ? value : null
}

/**
 * Reads `RECEIVER_ALLOWED_HOSTS`: a comma list of host names and IP addresses, no ports (ports
 * are ignored when matching); an entry with a leading dot, `.ngrok.app`, also matches every
 * subdomain, as Vite's `server.allowedHosts`. Unlike the repo's other list variables (common's
 * `parseList`, commas and/or spaces), only commas separate: `a test` is refused as a typo for
 * `a.test` rather than read as two hosts, since every entry widens who may reach the receiver.
 *
 * @throws {AllowedHostError} for an entry with a scheme, port, path or wildcard
 */
export function parseAllowedHosts(list: string): string[] {
  return list
    .split(',')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const normalized = normalizeEntry(entry)
      if (normalized === null)
        throw new AllowedHostError(
          `${JSON.stringify(entry.trim())} is not a host name: write it without scheme, port or path, ` +
            'e.g. abc.ngrok.app, or .ngrok.app for it and every subdomain',
          { entry: entry.trim() }
        )
      return normalized
    })
}

/** Whether a hostname (from `parseHostHeader`) is loopback or matches one of `entries`. */
export function createHostMatcher(entries: readonly string[]): (hostname: string) => boolean {
  const exact = new Set(entries.filter((entry) => !entry.startsWith('.')))
  const suffixes = entries.filter((entry) => entry.startsWith('.'))
  return (hostname) =>
    isLoopbackHostname(hostname) ||
    exact.has(hostname) ||
    suffixes.some((suffix) => hostname === suffix.slice(1) || hostname.endsWith(suffix))
}

// the bind address is not validated by the config: one that is no host name can never match
const normalizeAll = (entries: readonly string[]): string[] =>
  entries.flatMap((entry) => normalizeEntry(entry) ?? [])

/** For the startup banner: every pattern the allowlist accepts. */
export function describeAllowedHosts(entries: readonly string[]): string {
  const shown = normalizeAll(entries)
    .filter((entry) => !isLoopbackHostname(entry))
    .map((entry) => (isIPv6(entry) ? `[${entry}]` : entry))
  return [...new Set([...LOOPBACK_HOSTS, ...shown])].join(', ')
}

export interface AllowedHostsOptions {
  /** Accepted besides loopback: the bind address and `RECEIVER_ALLOWED_HOSTS` entries. */
  entries: readonly string[]
  /** Requests served under any Host, for webhook senders reaching us through a tunnel. */
  anyHost: (c: NodeContext) => boolean
}

/**
 * Refuses (403) a request whose Host is not one of ours, so a page on a name an attacker rebinds
 * to 127.0.0.1 (DNS rebinding) cannot read or change anything: the browser thinks it talks to
 * the attacker's own origin and lets the page read the answers. `anyHost` routes stay open to
 * senders that are not browsers (UP42, Pipedream and the relay send no `Origin`); a browser
 * always sends `Origin` on a POST, so one under a foreign Host is the rebinding page itself.
 *
 * Only for a receiver without basic auth: with auth, the rebound origin has no credentials.
 */
export function allowedHosts(options: AllowedHostsOptions): MiddlewareHandler {
  const isAllowed = createHostMatcher(normalizeAll(options.entries))
  return async (c, next) => {
    const host = parseHostHeader(requestHost(c))
    if (host !== null && isAllowed(host.hostname)) return next()
    if (options.anyHost(c) && requestHeader(c, 'origin') === undefined) return next()
    const named = host === null ? 'this Host' : `Host ${JSON.stringify(host.hostname)}`
    throw new HTTPException(403, {
      message: `${named} is not allowed: add it to RECEIVER_ALLOWED_HOSTS, or turn on basic auth`,
    })
  }
}
