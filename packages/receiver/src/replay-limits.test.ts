import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { networkInterfaces } from 'node:os'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, jobEvent, startTarget } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import { toWebhookInput } from './intake.ts'
import type { ResolveHost } from './replay-target.ts'
import type { WebhookStore } from './store.ts'
import { useMemoryStore } from '../test/memory-store.ts'

/**
 * Stands in for the network in the refusal tests: records every request the replay would have
 * sent and answers 200 without connecting anywhere, so a refusal that fails (as on the old code)
 * fails the test without ever reaching 169.254.x.
 */
function spyFetch(): typeof fetch & { urls: string[] } {
  const urls: string[] = []
  const spy = async (input: string | URL | Request) => {
    urls.push(String(input))
    return new Response('spied', { status: 200 })
  }
  return Object.assign(spy, { urls }) as typeof fetch & { urls: string[] }
}

/** A resolver from a fixed table that records what it was asked; never touches DNS. */
function table(entries: Record<string, string[][]>): ResolveHost & { asked: string[] } {
  const asked: string[] = []
  const resolve = async (hostname: string) => {
    // each call takes the next answer, so a rebinding resolver can be played
    const answer = entries[hostname]?.[asked.filter((h) => h === hostname).length]
    asked.push(hostname)
    if (!answer) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return Object.assign(resolve, { asked })
}

/** A target on 127.0.0.1 that holds every request until `release()`. */
async function startHoldingTarget() {
  const held: { req: IncomingMessage; res: ServerResponse; closed: Promise<void> }[] = []
  const server: Server = createServer((req, res) => {
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()))
    held.push({ req, res, closed })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hold`,
    held,
    release: () => {
      for (const { res } of held) if (!res.writableEnded) res.writeHead(202).end('released')
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const postReplay = (
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  body: unknown,
  id = 1
) =>
  app.request(`/api/webhooks/${id}/replay`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })

describe('replay targets, limits and credentials', () => {
  let store: WebhookStore
  let target: Awaited<ReturnType<typeof startTarget>>

  beforeAll(async () => {
    target = await startTarget((request) => ({ status: 202, body: `got ${request.path}` }))
  })
  afterAll(async () => {
    await target.close()
  })
  useMemoryStore(async (opened) => {
    store = opened
    await store.insert(
      toWebhookInput({
        body: Buffer.from(jobEvent({ messageId: 'replay-limits-1' })),
        headers: { 'content-type': 'application/json' },
        verdict: 'unchecked',
      })
    )
    target.requests.length = 0
  })

  it('Should refuse link-local and metadata targets in every notation with 400, before connecting', async () => {
    const spy = spyFetch()
    const resolve = table({ 'metadata.test': [['169.254.169.254']], 'v6.test': [['fe80::1']] })
    const app = createApp({ store, fetch: spy, replay: { resolve } })
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'http://0251.0376.0251.0376/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fe80::1]:8080/',
      'http://metadata.test/computeMetadata/v1/',
      'http://v6.test/',
    ]) {
      const res = await postReplay(app, { mode: 'raw', url })
      expect(res.status, url).toBe(400)
      expect((await res.json()).msg, url).toMatch(/refused: .*link-local or cloud metadata/)
    }
    expect(spy.urls).toEqual([])
    expect(resolve.asked).toEqual(['metadata.test', 'v6.test'])
    expect(await store.listReplayAttempts(1)).toEqual([])

    // the same app still replays to a loopback target
    expect((await postReplay(app, { mode: 'raw', url: target.url })).status).toBe(200)
    expect(spy.urls).toEqual([target.url])
  })

  it('Should refuse a replay to this receiver itself on any local address, before connecting', async () => {
    const spy = spyFetch()
    const app = createApp({ store, fetch: spy })
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    const { port } = server.address() as AddressInfo
    const base = `http://127.0.0.1:${port}`
    // through the real server, so the replay route sees the socket it came in on
    const viaServer = {
      request: (path: string, init: RequestInit) => fetch(`${base}${path}`, init),
    }
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry && !entry.internal && entry.family === 'IPv4')?.address
    try {
      for (const url of [
        `${base}/receive-webhooks`,
        `http://localhost:${port}/receive-webhooks`,
        `http://127.0.0.2:${port}/receive-webhooks`,
        `http://2130706433:${port}/receive-webhooks`,
        `http://0.0.0.0:${port}/receive-webhooks`,
        `http://[::1]:${port}/receive-webhooks`,
        `http://[::ffff:127.0.0.1]:${port}/receive-webhooks`,
        ...(lan ? [`http://${lan}:${port}/receive-webhooks`] : []),
      ]) {
        const res = await postReplay(viaServer, { mode: 'raw', url })
        expect(res.status, url).toBe(400)
        expect((await res.json()).msg, url).toMatch(/this receiver: the replay would loop/)
      }
      expect(spy.urls).toEqual([])
      expect(await store.listReplayAttempts(1)).toEqual([])
      // another port on loopback is somebody else's app: allowed
      const res = await postReplay(viaServer, { mode: 'raw', url: target.url })
      expect(res.status).toBe(200)
      expect(spy.urls).toEqual([target.url])
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('Should connect to the address it checked, resolving the name once (no DNS rebinding)', async () => {
    const { port } = new URL(target.url)
    // a rebinding resolver: harmless first, the metadata service on the second question
    const resolve = table({ 'my-app.test': [['127.0.0.1'], ['169.254.169.254']] })
    const app = createApp({ store, replay: { resolve } })
    const res = await postReplay(app, { mode: 'raw', url: `http://my-app.test:${port}/hook` })
    expect(res.status).toBe(200)
    expect((await res.json()).attempt).toMatchObject({ status: 202, error: null })
    expect(resolve.asked).toEqual(['my-app.test'])
    expect(target.requests).toHaveLength(1)
    expect(target.requests[0]!.headers.host).toBe(`my-app.test:${port}`)
  })

  it('Should answer 503 with Retry-After once the in-flight limit is reached', async () => {
    const holding = await startHoldingTarget()
    const app = createApp({ store, replay: { concurrency: 2 } })
    try {
      const first = postReplay(app, { mode: 'raw', url: holding.url })
      const second = postReplay(app, { mode: 'raw', url: holding.url })
      await eventually(() => holding.held.length === 2)
      const third = postReplay(app, { mode: 'raw', url: holding.url })
      // (without a limit the third would reach the target too: released then, so nothing hangs)
      await Promise.race([third, eventually(() => holding.held.length === 3)])
      holding.release()
      const refused = await third
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(await refused.json()).toEqual({
        code: 503,
        msg: '2 replays are already in flight; retry',
      })
      expect((await first).status).toBe(200)
      expect((await second).status).toBe(200)
      // the slots are free again
      const fourth = postReplay(app, { mode: 'raw', url: holding.url })
      await eventually(() => holding.held.length >= 3)
      holding.release()
      expect((await fourth).status).toBe(200)
      expect(await store.listReplayAttempts(1)).toHaveLength(3)
    } finally {
      holding.release()
      await holding.close()
    }
  })

  it('Should abort in-flight replays on shutdown and refuse new ones', async () => {
    const holding = await startHoldingTarget()
    const shutdown = new AbortController()
    const app = createApp({ store, replay: { signal: shutdown.signal } })
    try {
      const pending = postReplay(app, { mode: 'raw', url: holding.url })
      await eventually(() => holding.held.length === 1)
      shutdown.abort()
      const res = await pending
      expect(res.status).toBe(502)
      expect((await res.json()).attempt).toMatchObject({
        status: null,
        error: 'aborted: the receiver is shutting down',
      })
      // the connection to the target is gone, not left to its timeout
      await holding.held[0]!.closed
      const later = await postReplay(app, { mode: 'raw', url: holding.url })
      expect(later.status).toBe(503)
      expect((await later.json()).msg).toBe('the receiver is shutting down')
      expect(holding.held).toHaveLength(1)
    } finally {
      await holding.close()
    }
  })

  it('Should give up on a resolver that never answers, at the timeout or at shutdown', async () => {
    const { createReplayRoutes } = await import('./routes/replay.ts')
    let asked = 0
    const never: ResolveHost = () => {
      asked++
      return new Promise(() => {})
    }
    const shutdown = new AbortController()
    const routes = createReplayRoutes({
      store,
      replayTimeoutMs: 50,
      replay: { resolve: never },
    })
    const timedOut = await postReplay(routes, { mode: 'raw', url: 'http://slow-dns.test/' })
    expect(timedOut.status).toBe(502)
    expect((await timedOut.json()).attempt.error).toBe('timed out')

    const app = createApp({ store, replay: { resolve: never, signal: shutdown.signal } })
    const pending = postReplay(app, { mode: 'raw', url: 'http://slow-dns.test/' })
    await eventually(() => asked === 2)
    shutdown.abort()
    const res = await pending
    expect(res.status).toBe(502)
    expect((await res.json()).attempt.error).toBe('aborted: the receiver is shutting down')
  })

  it('Should send URL credentials as basic auth but never store or show them', async () => {
    const app = createApp({ store })
    const url = new URL(target.url)
    const withCredentials = `http://ops:p%40ss-hunter2@${url.host}${url.pathname}`
    const res = await postReplay(app, { mode: 'raw', url: withCredentials })
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(target.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:p@ss-hunter2').toString('base64')}`
    )
    expect(JSON.parse(text).attempt.url).toBe(target.url)

    const closed = await startTarget()
    const closedUrl = new URL(closed.url)
    await closed.close()
    const failed = await postReplay(app, {
      mode: 'raw',
      url: `http://ops:hunter2@${closedUrl.host}/`,
    })
    expect(failed.status).toBe(502)
    const refused = await postReplay(app, {
      mode: 'raw',
      url: 'http://ops:hunter2@169.254.169.254/',
    })
    expect(refused.status).toBe(400)
    const unparsable = await postReplay(app, { mode: 'raw', url: 'http://ops:hunter2@[nope/' })
    expect(unparsable.status).toBe(400)

    const shown = [
      text,
      await failed.text(),
      await refused.text(),
      await unparsable.text(),
      await (await app.request('/api/webhooks/1/replays')).text(),
    ].join('\n')
    expect(shown).not.toContain('hunter2')
    expect(shown).not.toContain('ops:')
  })

  it('Should refuse a URL user name with an escaped ":" (basic auth cannot carry it) before sending', async () => {
    const app = createApp({ store })
    const url = new URL(target.url)
    const res = await postReplay(app, {
      mode: 'raw',
      url: `http://op%3As:hunter2@${url.host}${url.pathname}`,
    })
    expect(res.status).toBe(400)
    const text = await res.text()
    expect(JSON.parse(text).msg).toMatch(/badly escaped user or password/)
    expect(text).not.toContain('hunter2')
    expect(target.requests).toHaveLength(0)
  })

  it('Should send a non-ASCII URL password as UTF-8 basic auth (RFC 7617)', async () => {
    const app = createApp({ store })
    const url = new URL(target.url)
    const res = await postReplay(app, {
      mode: 'raw',
      url: `http://ops:${encodeURIComponent('pässwörd€')}@${url.host}${url.pathname}`,
    })
    expect(res.status).toBe(200)
    expect(target.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:pässwörd€', 'utf8').toString('base64')}`
    )
  })

  it('Should use the user:password of REPLAY_URL without showing it on the page', async () => {
    const url = new URL(target.url)
    const app = createApp({ store, replayUrl: `http://ops:hunter2@${url.host}${url.pathname}` })
    const page = await (await app.request('/')).text()
    expect(page).not.toContain('hunter2')
    expect(page).toContain(`data-replay-url="${target.url}"`)
    const res = await postReplay(app, { mode: 'raw' })
    expect(res.status).toBe(200)
    expect(target.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:hunter2').toString('base64')}`
    )
    expect(await res.text()).not.toContain('hunter2')
  })
})
