import { describe, expect, it } from 'vitest'
import { checkReplayTarget, pinnedLookup } from './replay-target.ts'
import type { ResolveHost } from './replay-target.ts'

/** A resolver from a fixed table that records what it was asked; never touches DNS. */
function table(entries: Record<string, string[]>): ResolveHost & { asked: string[] } {
  const asked: string[] = []
  const resolve = async (hostname: string) => {
    asked.push(hostname)
    const addresses = entries[hostname]
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return Object.assign(resolve, { asked })
}

const check = (url: string, resolve = table({}), self = { port: 9888 }) =>
  checkReplayTarget(new URL(url), { resolve, self })

describe('checkReplayTarget', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://2852039166/',
    'http://0xa9fea9fe/',
    'http://0xA9.0xFE.0xA9.0xFE/',
    'http://0251.0376.0251.0376/',
    'http://169.254.169.254./',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://169.254.1.1:8080/',
    'http://[fe80::1]/',
    'http://[febf::1]/',
    'http://[fd00:ec2::254]/',
    'http://100.100.100.200/',
  ])('refuses the link-local or metadata address %s without resolving anything', async (url) => {
    const resolve = table({})
    const { refusal } = await check(url, resolve)
    expect(refusal).toMatch(/link-local or cloud metadata address/)
    expect(resolve.asked).toEqual([])
  })

  it('refuses a host name when any of its addresses is link-local', async () => {
    const resolve = table({ 'metadata.test': ['127.0.0.1', '169.254.169.254'] })
    const { refusal } = await check('http://metadata.test/', resolve)
    expect(refusal).toBe(
      'metadata.test resolves to 169.254.169.254, a link-local or cloud metadata address'
    )
    expect(resolve.asked).toEqual(['metadata.test'])
  })

  it.each([
    'http://127.0.0.1:9888/receive-webhooks',
    'http://127.0.0.2:9888/',
    'http://2130706433:9888/',
    'http://0x7f000001:9888/',
    'http://127.1:9888/',
    'http://0.0.0.0:9888/',
    'http://0:9888/',
    'http://[::1]:9888/',
    'http://[::]:9888/',
    'http://[::ffff:127.0.0.1]:9888/',
    'http://me.test:9888/',
  ])('refuses this receiver itself at %s', async (url) => {
    const { refusal } = await check(url, table({ 'me.test': ['::1'] }))
    expect(refusal).toMatch(/port 9888, which is this receiver: the replay would loop$/)
  })

  it('refuses the address the request came in on, which may be a LAN one', async () => {
    const { refusal } = await checkReplayTarget(new URL('http://192.0.2.10:9888/'), {
      self: { port: 9888, address: '192.0.2.10' },
    })
    expect(refusal).toMatch(/this receiver/)
  })

  it.each([
    'http://127.0.0.1:3000/webhooks',
    'http://localhost.test:9889/',
    'http://10.0.0.5:9888/',
    'http://192.168.1.20/',
    'https://127.0.0.1/',
    'http://[fd12::1]:9888/',
  ])('allows loopback and private targets that are not this receiver: %s', async (url) => {
    const { refusal, addresses } = await check(url, table({ 'localhost.test': ['127.0.0.1'] }))
    expect(refusal).toBeNull()
    expect(addresses.length).toBeGreaterThan(0)
  })

  it('allows this port on loopback when the receiver is unknown (no socket, as under app.request)', async () => {
    const { refusal } = await checkReplayTarget(new URL('http://127.0.0.1:9888/'), {})
    expect(refusal).toBeNull()
  })

  it('passes a resolver failure on, so the replay is recorded as a network error', async () => {
    await expect(check('http://nowhere.test/')).rejects.toMatchObject({ code: 'ENOTFOUND' })
  })
})

describe('pinnedLookup', () => {
  const addresses = [
    { address: '127.0.0.1', family: 4 as const },
    { address: '::1', family: 6 as const },
  ]
  const call = (options: object) =>
    new Promise<unknown[]>((resolve) =>
      pinnedLookup(addresses)('any.test', options, (...args: unknown[]) => resolve(args))
    )

  it('answers with the checked addresses only, in the shape net.connect asks for', async () => {
    expect(await call({ all: true })).toEqual([null, addresses])
    expect(await call({})).toEqual([null, '127.0.0.1', 4])
    expect(await call({ family: 6 })).toEqual([null, '::1', 6])
    expect(await call({ family: 'IPv6', all: true })).toEqual([null, [addresses[1]]])
  })

  it('fails rather than resolve again when no checked address fits the family', async () => {
    const [error] = await new Promise<unknown[]>((resolve) =>
      pinnedLookup([addresses[0]!])('any.test', { family: 6 }, (...args: unknown[]) =>
        resolve(args)
      )
    )
    expect(error).toMatchObject({ code: 'ENOTFOUND' })
  })
})
