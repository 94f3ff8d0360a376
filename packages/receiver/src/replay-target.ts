import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import type { LookupFunction } from 'node:net'
import { networkInterfaces } from 'node:os'

/** One address a target host name resolved to. */
export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Every address of a host name, as `dns.lookup(name, { all: true })` gives them. */
export type ResolveHost = (
  hostname: string
) => Promise<readonly { address: string; family: number }[]>

/** The system resolver (`/etc/hosts`, then DNS), all addresses in the order it returns them. */
export const resolveHost: ResolveHost = (hostname) =>
  lookup(hostname, { all: true, verbatim: true })

/** Where this receiver was reached: a replay to its port on a local address would loop. */
export interface ReplaySelf {
  port: number
  /** The local address the request came in on (the bind address, or the interface's). */
  address?: string | null
}

// Link-local and the cloud metadata services (AWS, GCP, Azure, Oracle, DigitalOcean at
// 169.254.169.254; AWS's IPv6 one; Alibaba's): they hand out credentials to whoever asks.
// BlockList matches IPv4-mapped IPv6 (::ffff:a9fe:a9fe) against the IPv4 rules by itself.
const METADATA = new BlockList()
METADATA.addSubnet('169.254.0.0', 16, 'ipv4')
METADATA.addSubnet('fe80::', 10, 'ipv6')
// NAT64's well-known prefix embeds an IPv4 address that the gateway connects to
METADATA.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6')
METADATA.addAddress('fd00:ec2::254', 'ipv6')
METADATA.addAddress('100.100.100.200', 'ipv4')

/** Addresses of this machine: loopback, "this host" (0.0.0.0 and :: connect to it) and every interface's. */
function localAddresses(self: ReplaySelf): BlockList {
  const local = new BlockList()
  local.addSubnet('127.0.0.0', 8, 'ipv4')
  local.addSubnet('0.0.0.0', 8, 'ipv4')
  local.addAddress('::1', 'ipv6')
  local.addAddress('::', 'ipv6')
  const add = (address: string) => {
    const family = isIP(address)
    if (family !== 0) local.addAddress(address, family === 4 ? 'ipv4' : 'ipv6')
  }
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) add(entry.address)
  }
  if (self.address) add(self.address.replace(/%.*$/, ''))
  return local
}

const familyName = (address: ResolvedAddress) => (address.family === 4 ? 'ipv4' : 'ipv6')

/**
 * Resolves a replay target and says whether it may be reached. Judged on the resolved
 * addresses, never on the spelling: the WHATWG URL parser has already turned `2852039166`,
 * `0xa9fea9fe` and `0251.0376.0251.0376` into `169.254.169.254`, and a host name is refused when
 * any of its addresses is. Loopback and private targets are allowed (replaying to your own app is
 * the point), except this receiver's own port.
 *
 * @returns the addresses to connect to (and only to: see `pinnedLookup`), or why not
 * @throws the resolver's error (ENOTFOUND …) when the name does not resolve
 */
export async function checkReplayTarget(
  url: URL,
  options: { resolve?: ResolveHost; self?: ReplaySelf | null } = {}
): Promise<{ addresses: ResolvedAddress[]; refusal: string | null }> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const literal = isIP(host)
  const found =
    literal === 0
      ? await (options.resolve ?? resolveHost)(host)
      : [{ address: host, family: literal }]
  const addresses = found.map(({ address, family }) => ({
    address: address.replace(/%.*$/, ''),
    family: family === 6 ? (6 as const) : (4 as const),
  }))
  if (addresses.length === 0) {
    throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' })
  }
  const named = literal === 0 ? `${host} resolves to ` : ''
  const metadata = addresses.find((a) => METADATA.check(a.address, familyName(a)))
  if (metadata) {
    return {
      addresses,
      refusal: `${named}${metadata.address}, a link-local or cloud metadata address`,
    }
  }
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
  if (options.self && options.self.port === port) {
    const local = localAddresses(options.self)
    const self = addresses.find((a) => local.check(a.address, familyName(a)))
    if (self) {
      return {
        addresses,
        refusal: `${named}${self.address} port ${port}, which is this receiver: the replay would loop`,
      }
    }
  }
  return { addresses, refusal: null }
}

/**
 * A `lookup` for the replay's connection that answers with the addresses already checked, so
 * the connection goes where the check looked and a second DNS answer (rebinding) cannot differ.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family
    const matching = addresses.filter((a) => !wanted || a.family === wanted)
    if (matching.length === 0) {
      const error: NodeJS.ErrnoException = new Error(`no checked address for ${hostname}`)
      error.code = 'ENOTFOUND'
      callback(error, '', 0)
    } else if (options.all) {
      callback(null, matching)
    } else {
      callback(null, matching[0]!.address, matching[0]!.family)
    }
  }
}
