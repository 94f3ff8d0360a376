import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { afterEach, describe, expect, it } from 'vitest'
import { attachAccessLog, formatCombinedLogLine } from './access-log.ts'
import { createApp } from './app.ts'
import type { WebhookStore } from './store.ts'
import { useMemoryStore } from '../test/memory-store.ts'

describe('formatCombinedLogLine', () => {
  it('writes nginx combined format', () => {
    const time = new Date(2022, 6, 26, 9, 5, 3)
    const offset = -time.getTimezoneOffset()
    const zone = `${offset >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`
    expect(
      formatCombinedLogLine({
        remoteAddress: '172.17.0.1',
        remoteUser: null,
        time,
        method: 'GET',
        url: '/ping',
        httpVersion: '1.1',
        status: 200,
        bytes: 4,
        referer: null,
        userAgent: 'curl/7.84.0',
      })
    ).toBe(
      `172.17.0.1 - - [26/Jul/2022:09:05:03 ${zone}] "GET /ping HTTP/1.1" 200 4 "-" "curl/7.84.0"`
    )
  })

  it('escapes quotes, backslashes and non-printable bytes as nginx does', () => {
    const line = formatCombinedLogLine({
      remoteAddress: '::1',
      remoteUser: 'relay',
      time: new Date(0),
      method: 'POST',
      url: '/a"b',
      httpVersion: '1.1',
      status: 400,
      bytes: 0,
      referer: 'x\\y',
      userAgent: 'é\n',
    })
    expect(line).toMatch(/^::1 - relay \[/)
    expect(line).toContain('"POST /a\\x22b HTTP/1.1" 400 0 "x\\x5Cy" "\\xC3\\xA9\\x0A"')
  })
})

describe('attachAccessLog', () => {
  let server: Server | undefined
  let store: WebhookStore
  // registered first, so it runs after the server's close
  useMemoryStore((opened) => {
    store = opened
  })
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)))
  })

  it('logs one line per request with the body bytes sent, streamed or not, and the auth user', async () => {
    const app = createApp({ store, auth: { username: 'relay', password: 'pw' } })
    server = createServer(getRequestListener(app.fetch))
    const lines: string[] = []
    attachAccessLog(server, (line) => lines.push(line))
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const authorization = `Basic ${Buffer.from('relay:pw').toString('base64')}`

    await (await fetch(`${base}/ping`, { headers: { 'user-agent': 'test/1' } })).text()
    await (
      await fetch(`${base}/receive-webhooks`, {
        method: 'POST',
        body: '{"a":1}',
        headers: { authorization },
      })
    ).text()
    const dump = await (
      await fetch(`${base}/dump-webhooks`, { headers: { authorization, referer: 'http://r/' } })
    ).text()
    await (await fetch(`${base}/dump-webhooks`)).text()

    await expect.poll(() => lines.length).toBe(4)
    expect(lines[0]).toMatch(
      /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/ping HTTP\/1\.1" 200 4 "-" "test\/1"$/
    )
    expect(lines[1]).toMatch(/ - relay \[.*\] "POST \/receive-webhooks HTTP\/1\.1" 200 35 "-" /)
    expect(lines[2]).toContain(
      `"GET /dump-webhooks HTTP/1.1" 200 ${Buffer.byteLength(dump)} "http://r/"`
    )
    expect(lines[3]).toMatch(/ - - \[.*\] "GET \/dump-webhooks HTTP\/1\.1" 401 \d+ /)
    expect(lines.join('\n')).not.toContain('pw')
  })
})
