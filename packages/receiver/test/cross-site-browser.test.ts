import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningProgram } from '@up42-webhooks/test-support'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, jobEvent, startTarget } from './inspector-helpers.ts'
import { startReceiver } from './receiver-process.ts'

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const SECRET = 'cross-site-browser-secret'

/**
 * The attacker's page: forms and fetches a browser sends without asking (no preflight), against
 * the receiver on 127.0.0.1 (same site, another port) and on localhost (another site). The form
 * bodies use the `text/plain` trick that makes a form field a JSON document.
 */
function attackerPage(receiverPort: number): string {
  const importLine = JSON.stringify({
    bodyBase64: Buffer.from(jobEvent({ messageId: 'imported-by-attacker' })).toString('base64'),
    receivedAt: '2024-05-01T12:00:00.000Z',
    verdict: 'verified',
  })
  const script = `
const bases = ['http://127.0.0.1:${receiverPort}', 'http://localhost:${receiverPort}']
const event = ${JSON.stringify(jobEvent({ messageId: 'stored-by-attacker' }))}
const importLine = ${JSON.stringify(importLine)}
// name=value in text/plain: {"…","pad":"=" + "}  gives valid JSON
const asJsonField = (json) => ({ [json.slice(0, -1) + ',"pad":"']: '"}' })
let frames = 0
async function submit(action, enctype, fields) {
  const frame = document.createElement('iframe')
  frame.name = 'sink' + frames++
  await new Promise((resolve) => { frame.onload = resolve; frame.src = 'about:blank'; document.body.append(frame) })
  const loaded = new Promise((resolve) => (frame.onload = resolve))
  const form = document.createElement('form')
  Object.assign(form, { method: 'post', action, enctype, target: frame.name })
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input')
    Object.assign(input, { type: 'hidden', name, value })
    form.append(input)
  }
  document.body.append(form)
  form.submit()
  await loaded
  return 'form ' + enctype + ' ' + action
}
async function send(url, init) {
  try {
    const res = await fetch(url, init)
    return (init.mode ?? 'cors') + ' ' + init.method + ' ' + url + ': opaque=' + (res.type === 'opaque')
  } catch (error) {
    return (init.mode ?? 'cors') + ' ' + init.method + ' ' + url + ': ' + error.name
  }
}
window.attack = async () => {
  const log = []
  for (const base of bases) {
    log.push(await submit(base + '/receive-webhooks', 'text/plain', asJsonField(event)))
    log.push(await submit(base + '/receive-webhooks', 'application/x-www-form-urlencoded', { a: event }))
    log.push(await submit(base + '/api/import', 'text/plain', asJsonField(importLine)))
    log.push(await submit(base + '/api/webhooks/1/replay', 'text/plain', asJsonField('{"mode":"resign"}')))
    for (const mode of ['no-cors', 'cors']) {
      const plain = { 'content-type': 'text/plain' }
      log.push(await send(base + '/receive-webhooks', { method: 'POST', mode, headers: plain, body: event }))
      log.push(await send(base + '/api/import', { method: 'POST', mode, headers: plain, body: importLine }))
      log.push(await send(base + '/api/webhooks/1/replay', { method: 'POST', mode, headers: plain, body: '{"mode":"resign"}' }))
      log.push(await send(base + '/api/webhooks/1', { method: 'DELETE', mode }))
      log.push(await send(base + '/api/webhooks?confirm=yes', { method: 'DELETE', mode }))
    }
  }
  return log
}`
  return `<!doctype html><meta charset="utf-8"><title>not the receiver</title><body><script>${script}</script></body>`
}

describe(
  'a page on another localhost port against a receiver without auth',
  { timeout: 120_000 },
  () => {
    let dir: string
    let receiver: RunningProgram
    const stdout = () => receiver.stdout()
    let baseUrl: string
    let port: number
    let target: Awaited<ReturnType<typeof startTarget>>
    let attacker: Server
    let attackerUrl: string
    let browser: Browser

    const api = async (path: string) => (await fetch(`${baseUrl}${path}`)).json()
    const stored = async () => JSON.stringify(await api('/api/webhooks'))

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cross-site-browser-'))
      target = await startTarget()
      receiver = await startReceiver(
        {
          HOST: '127.0.0.1',
          RECEIVER_DB: join(dir, 'webhooks.db'),
          UP42_WEBHOOK_SECRET: SECRET,
          REPLAY_URL: target.url,
          RECEIVER_ALLOWED_HOSTS: '.tunnel.test',
        },
        [],
        { timeoutMs: 60_000 }
      )
      baseUrl = receiver.url
      port = Number(new URL(baseUrl).port)

      const res = await fetch(`${baseUrl}/receive-webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: jobEvent({ messageId: 'genuine' }),
      })
      expect(res.status).toBe(200)

      attacker = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackerPage(port))
      })
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
      attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          // a name an attacker rebinds to this machine, without a DNS server
          '--host-resolver-rules=MAP rebind.test 127.0.0.1, MAP *.tunnel.test 127.0.0.1',
        ],
      })
    })

    afterAll(async () => {
      await browser?.close()
      await receiver?.stop()
      await target?.close()
      await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(null)))
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('Should list the allowed hosts at startup', () => {
      expect(stdout()).toContain(
        'allowed hosts: localhost, *.localhost, 127.0.0.0/8, [::1], .tunnel.test; other Hosts get only /ping and POST /receive-webhooks'
      )
    })

    it('Should change nothing when the page posts forms and fetches to ingest, import, replay and delete', async () => {
      const before = await stored()
      const logStart = stdout().length
      const page = await browser.newPage()
      await page.goto(attackerUrl)
      const log = await page.evaluate(() =>
        (window as unknown as { attack: () => Promise<string[]> }).attack()
      )
      await page.close()

      // the browser did send them: no-cors answers are opaque, cors ones fail on the missing headers
      expect(log.filter((line) => line.startsWith('form '))).toHaveLength(8)
      expect(
        log.filter((line) => line.includes('no-cors POST') && line.endsWith('opaque=true'))
      ).toHaveLength(6)
      expect(
        log.filter((line) => line.startsWith('cors ') && line.endsWith('TypeError'))
      ).toHaveLength(10)
      // every one that reached the receiver was refused, preflights included (no CORS answer)
      const refused = await eventually(() => {
        const lines = stdout()
          .slice(logStart)
          .split('\n')
          .filter((line) => / "(POST|DELETE|OPTIONS) /.test(line))
        // 20 POSTs, and a preflight for each cors DELETE; no-cors DELETEs are refused by fetch itself
        return lines.length >= 24 && lines
      })
      for (const line of refused) expect(line).toMatch(/" (403|404|405) \d+ /)
      expect(refused.filter((line) => / "POST .*" 403 /.test(line))).toHaveLength(20)
      expect(refused.some((line) => line.includes('"DELETE '))).toBe(false)

      expect(await stored()).toBe(before)
      expect((await api('/api/stats')).total).toBe(1)
      expect(await api('/api/webhooks/1/replays')).toEqual({ items: [] })
      expect(target.requests).toHaveLength(0)
    })

    it('Should not show the inspector or the API under a rebound name, but serve a listed tunnel name', async () => {
      const page = await browser.newPage()
      const rebound = await page.goto(`http://rebind.test:${port}/api/webhooks`)
      expect(rebound?.status()).toBe(403)
      expect(await rebound?.text()).toMatch(/Host \\"rebind.test\\" is not allowed/)
      expect((await page.goto(`http://rebind.test:${port}/`))?.status()).toBe(403)
      const listed = await page.goto(`http://abc.tunnel.test:${port}/api/stats`)
      expect(listed?.status()).toBe(200)
      await page.close()
    })
  }
)
