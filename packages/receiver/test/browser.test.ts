import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signWebhook, verifyWebhook } from '@up42-webhooks/shared'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTarget } from './inspector-helpers.ts'

const PACKAGE_DIR = join(import.meta.dirname, '..')
const ARTIFACTS = join(PACKAGE_DIR, '..', '..', 'test-artifacts')
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const SECRET = 'browser-test-secret'
const USER = { username: 'inspector', password: 'browser-pass' }
const JOB = '6dbe8956-b8c5-47b3-9f56-b1686628aa19'
const OTHER_JOB = 'a1c0e2f4-3b5d-4e6f-8a9b-0c1d2e3f4a5b'
const ORDER = '86296865-9e91-4a16-9a3c-d4eaa584c03e'

/**
 * A stand-in for the local relay: forwards each POST, signature headers and all, to the receiver
 * with its basic auth and answers what the receiver answered. A replay sent here comes back to the
 * receiver as a repeated delivery.
 */
async function startRelay(receiverUrl: () => string, auth: { username: string; password: string }) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', async () => {
      const headers: Record<string, string> = {
        authorization: `Basic ${btoa(`${auth.username}:${auth.password}`)}`,
      }
      for (const name of [
        'content-type',
        'date',
        'content-digest',
        'signature',
        'signature-input',
      ]) {
        const value = req.headers[name]
        if (typeof value === 'string') headers[name] = value
      }
      const answer = await fetch(`${receiverUrl()}/receive-webhooks`, {
        method: 'POST',
        headers,
        body: Buffer.concat(chunks),
      })
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

describe('the inspector in a real browser against a real receiver', { timeout: 120_000 }, () => {
  let dir: string
  let receiver: ChildProcessWithoutNullStreams
  let baseUrl: string
  let target: Awaited<ReturnType<typeof startTarget>>
  let relay: Awaited<ReturnType<typeof startRelay>>
  let context: BrowserContext
  let page: Page
  let messageCounter = 0
  const t0 = Date.now() - 40 * 60_000
  const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString()

  async function send(
    envelope: Record<string, unknown>,
    options: { secret?: string; sign?: boolean } = {}
  ) {
    const body = JSON.stringify({
      liveMode: true,
      messageId: `00000000-0000-4000-8000-${String(++messageCounter).padStart(12, '0')}`,
      ...envelope,
    })
    return sendRaw(body, options)
  }
  async function sendRaw(
    body: string,
    { secret = SECRET, sign = true }: { secret?: string; sign?: boolean } = {}
  ) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      authorization: `Basic ${btoa(`${USER.username}:${USER.password}`)}`,
      ...(sign ? await signWebhook({ body, secret }) : {}),
    }
    const res = await fetch(`${baseUrl}/receive-webhooks`, { method: 'POST', body, headers })
    expect(res.status).toBe(200)
    return Number(/key (\d+)/.exec(await res.text())?.[1])
  }
  const job = (id: string, status: string, minute: number, liveMode = true) => ({
    event: 'job.status',
    liveMode,
    timestamp: at(minute),
    body: { id, status, startedAt: at(0), finishedAt: null },
  })
  const order = (status: string, minute: number) => ({
    event: 'order.status',
    timestamp: at(minute),
    body: {
      orderId: ORDER,
      orderType: 'ARCHIVE',
      dataHostName: 'oneatlas',
      status,
      statusIsFinal: status === 'FULFILLED',
    },
  })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inspector-browser-'))
    target = await startTarget(() => ({ status: 200, body: '{"received":true}' }))
    relay = await startRelay(() => baseUrl, USER)
    receiver = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--quiet'], {
      cwd: PACKAGE_DIR,
      env: {
        PATH: process.env['PATH'] ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        RECEIVER_DB: join(dir, 'webhooks.db'),
        RECEIVER_USER: USER.username,
        RECEIVER_PASSWORD: USER.password,
        UP42_WEBHOOK_SECRET: SECRET,
        REPLAY_URL: target.url,
      },
    })
    let log = ''
    receiver.stderr.on('data', (chunk: Buffer) => (log += chunk))
    receiver.stdout.on('data', (chunk: Buffer) => (log += chunk))
    baseUrl = await eventually(() => /listening on (http:\/\/\S+)/.exec(log)?.[1], 60_000)

    // History from before the page was opened.
    await send(job(OTHER_JOB, 'PENDING', 1, false))
    await send(job(OTHER_JOB, 'RUNNING', 3, false))
    await send(job(OTHER_JOB, 'FAILED', 9, false))
    await send(order('PLACED', 4))
    await send(order('BEING_FULFILLED', 8), { sign: false })
    await send(job(JOB, 'PENDING', 10))
    await send(job(JOB, 'RUNNING', 12))
    await send(order('FULFILLED', 15), { secret: 'not-the-secret' })

    const userDataDir = mkdtempSync(join(dir, 'chromium-profile-'))
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      httpCredentials: USER,
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
    })
    page = context.pages()[0] ?? (await context.newPage())
  })

  afterAll(async () => {
    await context?.close()
    receiver?.kill('SIGKILL')
    await target?.close()
    await relay?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('Should show, follow, filter, detail, timeline and replay a webhook', async () => {
    const errors: string[] = []
    const foreign: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('request', (request) => {
      if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:'))
        foreign.push(request.url())
    })
    await page.goto(baseUrl)
    await page.locator('#live[data-state="live"]').waitFor()
    await expect.poll(() => page.locator('#list .row').count()).toBe(8)
    // the newest is on top
    expect(await page.locator('#list .row').first().getAttribute('data-id')).toBe('8')

    // A webhook arrives: it appears without a reload.
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'))
    const id = await send(job(JOB, 'SUCCEEDED', 20))
    const row = page.locator(`#row-${id}`)
    await row.waitFor()
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      'same page'
    )
    expect(await page.locator('#list .row').first().getAttribute('data-id')).toBe(String(id))
    expect(await row.textContent()).toContain('SUCCEEDED')
    // terminal per the server's TERMINAL_STATUSES, which the page has from data-terminal-statuses
    expect(await row.locator('.c-status .badge').getAttribute('class')).toBe('badge good terminal')
    expect(await page.locator('#count').textContent()).toBe('9 stored')

    // Filter by job id: only that job's rows remain, and the URL keeps the filter.
    await page.getByLabel('Job id').fill(JOB)
    await expect.poll(() => page.locator('#list .row').count()).toBe(3)
    expect(new URL(page.url()).searchParams.get('jobId')).toBe(JOB)
    expect(await page.locator('#list .row .c-ref').allTextContents()).toEqual(
      Array(3).fill(`job ${JOB}`)
    )
    expect(await page.locator('#export').getAttribute('href')).toBe(`api/export?jobId=${JOB}`)

    // "/" jumps to the search box from anywhere but a form field.
    await page.locator('#list').focus()
    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-q')
    expect(await page.getByLabel('Search').inputValue()).toBe('')

    // Detail.
    await row.click()
    const detail = page.locator('#detail')
    await detail.getByRole('heading', { name: `#${id} job.status` }).waitFor()
    expect(await detail.locator('.facts').textContent()).toContain(
      'verified with UP42_WEBHOOK_SECRET'
    )
    expect(await detail.locator('pre.code').textContent()).toContain(`"status": "SUCCEEDED"`)
    expect(new URL(page.url()).searchParams.get('id')).toBe(String(id))

    // In order so far: the timeline's summary names the job and the count, and nothing else.
    await detail.getByRole('tab', { name: 'Timeline' }).click()
    const summary = detail.locator('.panel-bar > span').first()
    await expect.poll(() => summary.textContent()).toBe(`Job ${JOB} · 3 deliveries`)
    await detail.getByRole('tab', { name: 'Body' }).click()

    // A late RUNNING arrives after the terminal SUCCEEDED, sent earlier: the timeline flags it.
    const late = await send(job(JOB, 'RUNNING', 16))
    await page.locator(`#row-${late}`).waitFor()
    await detail.getByRole('tab', { name: 'Timeline' }).click()
    const items = detail.locator('.timeline .tl-item')
    await expect.poll(() => items.count()).toBe(4)
    expect(await items.locator('.badge').first().textContent()).toBe('PENDING')
    expect(await detail.locator('.tl-item.terminal').count()).toBe(1)
    expect(await detail.locator('.tl-item.terminal .badge').first().textContent()).toBe('SUCCEEDED')
    expect(await items.nth(3).locator('.tl-flag').allTextContents()).toEqual([
      '⚠ arrived after a terminal status',
      '⚠ sent earlier than the previous delivery (out of order)',
    ])

    // Bookmarkable: a reload restores filter, selection and tab.
    await page.reload()
    await page.locator('#detail .timeline .tl-item').first().waitFor()
    expect(await page.getByLabel('Job id').inputValue()).toBe(JOB)
    expect(await page.locator('#list .row').count()).toBe(4)

    // Replay, re-signed, to the local target: the attempt is listed and the target verifies it.
    await detail.getByRole('tab', { name: 'Replay' }).click()
    expect(await detail.getByLabel('Target URL').inputValue()).toBe(target.url)
    await detail.getByLabel(/Re-sign/).check()
    await detail.getByRole('button', { name: 'Send replay' }).click()
    const attempt = detail.locator('table .attempt')
    await attempt.waitFor()
    expect(await attempt.textContent()).toContain('resign')
    expect(await attempt.textContent()).toContain('200')
    expect(await detail.locator('.replay-status').textContent()).toMatch(/Target answered 200/)
    expect(target.requests).toHaveLength(1)
    const got = target.requests[0]!
    await expect(
      verifyWebhook({ headers: got.headers, body: got.body }, { secret: SECRET })
    ).resolves.toMatchObject({ bodyCovered: true })
    expect(JSON.parse(got.body.toString()).body.status).toBe('SUCCEEDED')

    // Replayed through a relay back into this receiver: a second delivery of the same message.
    // The replay tab stays as it is, but its delivery count and the row's follow.
    expect(await detail.locator('.facts').textContent()).toContain('Deliveries1')
    await detail.getByLabel('Target URL').fill(relay.url)
    await detail.getByRole('button', { name: 'Send replay' }).click()
    await expect.poll(() => detail.locator('table .attempt').count()).toBe(2)
    expect(await detail.locator('.replay-status').textContent()).toMatch(/Target answered 200/)
    await expect
      .poll(() => detail.locator('.facts').textContent())
      .toContain('Deliveries2 (duplicates of one message)')
    await expect.poll(() => row.locator('.dup').textContent()).toBe('×2')
    expect(await detail.getByLabel('Target URL').inputValue()).toBe(relay.url)

    // Clear the filters: everything is back, and the selection stays.
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect.poll(() => page.locator('#list .row').count()).toBe(10)
    expect(new URL(page.url()).searchParams.get('jobId')).toBeNull()

    // For the README: the timeline of the job, full list on the left.
    await page.locator(`#row-${id}`).click()
    await detail.getByRole('tab', { name: 'Timeline' }).click()
    await detail.locator('.timeline .tl-item').nth(3).waitFor()
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'inspector.png') })
    expect(errors).toEqual([])
    expect(foreign).toEqual([]) // works offline: nothing but the receiver itself
  })

  it('Should page through a long history while keeping only the visible rows in the DOM', async () => {
    const before = Number((await page.locator('#count').textContent())?.replace(/\D/g, ''))
    for (let batch = 0; batch < 9; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => send(job(`bulk-${batch}-${i}`, 'RUNNING', 30)))
      )
    }
    const total = before + 450
    await page.goto(baseUrl)
    await page.locator('#list .row').first().waitFor()
    const list = page.locator('#list')
    // scroll until every page is loaded (200 per page, by cursor)
    for (let i = 0; i < 50; i++) {
      const foot = (await page.locator('#list-foot').textContent()) ?? ''
      if (foot === `${total} shown`) break
      await list.evaluate((element) => element.scrollTo(0, element.scrollHeight))
      await page.waitForTimeout(50)
    }
    expect(await page.locator('#list-foot').textContent()).toBe(`${total} shown`)
    expect(await page.locator('#list .row').count()).toBeLessThan(60)
    await list.evaluate((element) => element.scrollTo(0, element.scrollHeight))
    await expect.poll(() => page.locator('#list .row').last().getAttribute('data-id')).toBe('1')
  })

  it('Should fit a 360 px phone: list and detail stacked, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 360, height: 740 })
    try {
      await page.goto(`${baseUrl}/?jobId=${JOB}`)
      const row = page.locator('#list .row', { hasText: 'SUCCEEDED' })
      await row.click()
      const detail = page.locator('#detail')
      await detail.getByRole('heading', { name: /job\.status/ }).waitFor()
      // the tapped row's detail is brought into sight, under the list
      const heading = (await detail.locator('h2').boundingBox())!
      expect(heading.y).toBeGreaterThanOrEqual(0)
      expect(heading.y + heading.height).toBeLessThanOrEqual(740)
      const list = (await page.locator('.list-pane').boundingBox())!
      const box = (await detail.boundingBox())!
      expect(box.y).toBeGreaterThanOrEqual(list.y + list.height - 1)
      expect([list.width, box.width]).toEqual([360, 360])

      const overflow = () =>
        page.evaluate(() => {
          const wider = [
            '.topbar',
            '#filters',
            '.list-pane',
            '#list',
            '#detail',
            '.facts',
            '.tabs',
            '.tab-panel',
          ].flatMap((selector) =>
            [...document.querySelectorAll(selector)]
              .filter((el) => el.scrollWidth > el.clientWidth)
              .map((el) => `${selector} ${el.scrollWidth} > ${el.clientWidth}`)
          )
          const root = document.documentElement
          return { page: root.scrollWidth <= innerWidth ? 'fits' : `${root.scrollWidth}`, wider }
        })
      for (const tab of ['Raw', 'Headers', 'Timeline', 'Replay', 'Deliveries', 'Body']) {
        await detail.getByRole('tab', { name: tab }).click()
        await detail.locator(`.tab[aria-selected="true"]`, { hasText: tab }).waitFor()
        if (tab === 'Timeline') await detail.locator('.timeline .tl-item').first().waitFor()
        if (tab === 'Replay') await detail.locator('table .attempt').first().waitFor()
        if (tab === 'Deliveries') await detail.locator('#deliveries .empty').waitFor()
        expect(await overflow(), tab).toEqual({ page: 'fits', wider: [] })
      }
      mkdirSync(ARTIFACTS, { recursive: true })
      await page.evaluate(() => window.scrollTo(0, 0))
      await page.screenshot({ path: join(ARTIFACTS, 'inspector-360.png'), fullPage: true })
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 })
    }
  })

  it('Should show a signature that does not cover the body as an amber badge that explains it', async () => {
    const body = JSON.stringify({ messageId: 'headers-only-1', ...job(JOB, 'FAILED', 31) })
    const headers = { 'content-type': 'application/json' }
    const signed = await signWebhook({
      body,
      secret: SECRET,
      components: ['date', 'content-type'],
      headers,
    })
    const res = await fetch(`${baseUrl}/receive-webhooks`, {
      method: 'POST',
      body,
      headers: {
        ...headers,
        ...signed,
        authorization: `Basic ${btoa(`${USER.username}:${USER.password}`)}`,
      },
    })
    const id = Number(/key (\d+)/.exec(await res.text())?.[1])
    await page.goto(`${baseUrl}?id=${id}`)
    const badge = page.locator(`#row-${id} .badge.headers-only`)
    await badge.waitFor()
    expect(await badge.textContent()).toBe('✓ headers')
    expect(await badge.getAttribute('title')).toMatch(/body is not authenticated/)
    // amber: the --warn colour of the light scheme, #9a5b00
    expect(await badge.evaluate((element) => getComputedStyle(element).color)).toBe(
      'rgb(154, 91, 0)'
    )
    const detail = page.locator('#detail')
    await detail.getByRole('heading', { name: `#${id} job.status` }).waitFor()
    expect(await detail.locator('.badge.headers-only').textContent()).toBe(
      '✓ verified, headers only'
    )
    expect(await detail.locator('.facts').textContent()).toContain(
      'the body is not covered by the signature'
    )
  })

  it('Should show a long timeline a page at a time, loading more on demand', async () => {
    const LONG_JOB = 'c0ffee00-1111-4222-8333-444455556666'
    let last = 0
    for (let batch = 0; batch < 5; batch++) {
      const ids = await Promise.all(
        Array.from({ length: 41 }, (_, i) => send(job(LONG_JOB, 'RUNNING', 30 + batch + i / 100)))
      )
      last = Math.max(last, ...ids)
    }
    await page.goto(`${baseUrl}/?id=${last}&tab=timeline`)
    const detail = page.locator('#detail')
    const items = detail.locator('.timeline .tl-item')
    const more = detail.getByRole('button', { name: 'Load more' })
    await more.waitFor()
    expect(await items.count()).toBe(200)
    expect(await detail.locator('.panel-bar').first().textContent()).toContain('200+ deliveries')
    await more.click()
    await expect.poll(() => items.count()).toBe(205)
    await more.waitFor({ state: 'hidden' })
    expect(await detail.locator('.panel-bar').first().textContent()).toContain('205 deliveries')
    expect(await items.last().getAttribute('class')).toContain('current')
  })

  it('Should import a file, refusing one with a bad line by its line number', async () => {
    await page.goto(baseUrl)
    await page.locator('#list .row').first().waitFor()
    const good = JSON.stringify({
      bodyBase64: Buffer.from(
        JSON.stringify({
          ...job('d00d0000-1111-4222-8333-444455556666', 'PENDING', 50),
          messageId: 'imported-1',
        })
      ).toString('base64'),
      receivedAt: at(50),
    })
    const upload = (text: string) =>
      page.locator('#import-file').setInputFiles({
        name: 'webhooks.ndjson',
        mimeType: 'application/x-ndjson',
        buffer: Buffer.from(text),
      })
    await upload(`${good}\nnot json\n`)
    await page.getByRole('status').filter({ hasText: 'Import refused: line 2: not JSON' }).waitFor()
    await upload(`${good}\n`)
    await page.getByRole('status').filter({ hasText: 'Imported 1, 0 duplicates' }).waitFor()
  })
})
