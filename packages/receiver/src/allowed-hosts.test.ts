import { describe, expect, it } from 'vitest'
import { jobEvent } from '../test/inspector-helpers.ts'
import { describeAllowedHosts, parseAllowedHosts, parseHostHeader } from './allowed-hosts.ts'
import { toWebhookInput } from './intake.ts'
import { createApp } from './app.ts'
import type { AppOptions } from './app.ts'
import type { WebhookStore } from './store.ts'
import { useMemoryStore } from '../test/memory-store.ts'

const BASIC = `Basic ${btoa('ops:pw')}`

describe('the Host allowlist', () => {
  let store: WebhookStore
  useMemoryStore(async (opened) => {
    store = opened
    await store.insert(
      toWebhookInput({
        body: Buffer.from(jobEvent({ messageId: 'first' })),
        headers: {},
        verdict: 'unchecked',
      })
    )
  })

  const app = (options: Partial<AppOptions> = {}) => createApp({ store, ...options })
  const get = (a: ReturnType<typeof app>, host: string, path = '/api/webhooks') =>
    a.request(path, { headers: { host } })

  it('Should refuse a foreign Host with 403 JSON on every route but /ping and ingest, changing nothing', async () => {
    const a = app()
    const reads = ['/', '/api/webhooks', '/api/webhooks/1', '/dump-webhooks', '/api/export']
    for (const path of [...reads, '/api/stats', '/favicon.ico', '/nope']) {
      const res = await get(a, 'evil.example:9888', path)
      expect(res.status, path).toBe(403)
      expect(res.headers.get('content-type'), path).toBe('application/json')
      expect(await res.json(), path).toEqual({
        code: 403,
        msg: 'Host "evil.example" is not allowed: add it to RECEIVER_ALLOWED_HOSTS, or turn on basic auth',
      })
    }
    const del = await a.request('/api/webhooks/1', {
      method: 'DELETE',
      headers: { host: 'evil.example:9888' },
    })
    expect(del.status).toBe(403)
    expect(await store.get(1)).not.toBeNull()
    expect(await (await get(a, 'evil.example', '/ping')).text()).toBe('PONG')
  })

  it('Should store a webhook that comes through a tunnel with the tunnel Host', async () => {
    const res = await app().request('/receive-webhooks', {
      method: 'POST',
      headers: { host: 'abc.ngrok-free.app', 'content-type': 'application/json' },
      body: jobEvent({ messageId: 'via-tunnel' }),
    })
    expect(res.status).toBe(200)
    expect((await store.stats()).total).toBe(2)
  })

  it('Should refuse ingest under a foreign Host from a browser (the rebound page sends Origin)', async () => {
    const res = await app().request('/receive-webhooks', {
      method: 'POST',
      headers: {
        host: 'rebind.evil.example:9888',
        origin: 'http://rebind.evil.example:9888',
        'sec-fetch-site': 'same-origin',
        'content-type': 'text/plain',
      },
      body: jobEvent({ messageId: 'rebound' }),
    })
    expect(res.status).toBe(403)
    expect((await store.stats()).total).toBe(1)
  })

  it('Should serve loopback names and addresses, with any port', async () => {
    const a = app()
    for (const host of [
      'localhost',
      'LOCALHOST:9888',
      'inspector.localhost:9888',
      '127.0.0.1:9888',
      '127.255.0.3',
      '[::1]:9888',
    ]) {
      expect((await get(a, host)).status, host).toBe(200)
    }
    for (const host of [
      '127.0.0.256',
      '127.1',
      '2130706433',
      '[::ffff:7f00:1]',
      'localhost.',
      '',
    ]) {
      expect((await get(a, host)).status, host).toBe(403)
    }
  })

  it('Should serve the listed hosts and, for a leading dot, their subdomains', async () => {
    const a = app({ allowedHosts: ['0.0.0.0', 'abc.ngrok.app', '.example.com', '[fd00::7]'] })
    for (const host of [
      '0.0.0.0:9888',
      'abc.ngrok.app:443',
      'example.com',
      'a.b.example.com',
      '[fd00::7]:9888',
    ]) {
      expect((await get(a, host)).status, host).toBe(200)
    }
    for (const host of ['x.abc.ngrok.app', 'abc.ngrok.app.evil', 'notexample.com', '[fd00::8]']) {
      expect((await get(a, host)).status, host).toBe(403)
    }
  })

  it('Should serve any Host with basic auth on, and still ask for credentials', async () => {
    const a = app({ auth: { username: 'ops', password: 'pw' } })
    const withCredentials = await a.request('/api/webhooks', {
      headers: { host: 'evil.example', authorization: BASIC },
    })
    expect(withCredentials.status).toBe(200)
    expect((await get(a, 'evil.example')).status).toBe(401)
  })
})

describe('parseAllowedHosts, parseHostHeader, describeAllowedHosts', () => {
  it('normalizes entries and refuses what is not a host name', () => {
    expect(parseAllowedHosts(' A.Test ,, .Example.COM,[0:0::1],::2 ')).toEqual([
      'a.test',
      '.example.com',
      '::1',
      '::2',
    ])
    for (const entry of [
      'http://a.test',
      'a.test:80',
      '*.a.test',
      'a..test',
      'a test',
      '[::1]:1',
      'fe80::1%eth0',
    ]) {
      expect(() => parseAllowedHosts(entry), entry).toThrow(/is not a host name/)
    }
  })

  it('splits a Host header, or says it is malformed', () => {
    expect(parseHostHeader('Evil.Example:9888')).toEqual({ hostname: 'evil.example', port: '9888' })
    expect(parseHostHeader('[::1]')).toEqual({ hostname: '::1', port: null })
    for (const bad of ['a@127.0.0.1', '[zz::1]', 'a b', 'a:b', ':80']) {
      expect(parseHostHeader(bad), bad).toBeNull()
    }
  })

  it('lists every pattern for the banner, without repeating loopback', () => {
    expect(describeAllowedHosts(['127.0.0.1', '::', '.ngrok.app'])).toBe(
      'localhost, *.localhost, 127.0.0.0/8, [::1], [::], .ngrok.app'
    )
  })
})
