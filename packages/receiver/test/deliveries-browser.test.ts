import path from 'node:path'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { createTempDir, startRecordingServer, startTsx } from '@up42-webhooks/test-support'
import type { RecordingServer, RunningProgram, TempDir } from '@up42-webhooks/test-support'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const MAIN = path.join(import.meta.dirname, '../src/main.ts')
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

describe('the Deliveries tab in a real browser', { timeout: 120_000 }, () => {
  let dir: TempDir
  let app: RecordingServer
  let receiver: RunningProgram
  let browser: Browser

  beforeAll(async () => {
    dir = await createTempDir('receiver-deliveries-browser-')
    // the app refuses the first delivery: failed at once, with its answer
    app = await startRecordingServer({ fallback: { status: 200, body: 'accepted' } })
    app.script({ status: 400, body: 'bad signature' })
    receiver = await startTsx(MAIN, [], {
      env: {
        PORT: '0',
        RECEIVER_DB: dir.file('webhooks.db'),
        RECEIVER_QUIET: '1',
        RECEIVER_FORWARD_TO: `http://user:FoRwArDpW@127.0.0.1:${new URL(app.url).port}/hook?token=ToKeN`,
      },
      dropEnv: /^(UP42_|RECEIVER_)/,
      readyPath: '/ping',
    })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    })
  })

  afterAll(async () => {
    await browser?.close()
    await receiver?.stop()
    await app?.close()
    await dir?.remove()
  })

  it('shows each delivery with its last answer, flags a failure in the header, and retries it from the button', async () => {
    const response = await fetch(`${receiver.url}/receive-webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: EXAMPLE_EVENTS.jobLive,
    })
    const id = Number(/key (\d+)/.exec(await response.text())![1])
    await app.received(1)

    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${receiver.url}/?id=${id}&tab=deliveries`)
    const row = page.locator('#deliveries tr.delivery')
    await row.and(page.locator('[data-state="failed"]')).waitFor()
    await expect.poll(() => row.locator('td').nth(3).textContent()).toBe('HTTP 400 bad signature')
    expect(await row.locator('td').nth(2).textContent()).toBe('1')
    const destination = (await row.locator('td').first().textContent()) ?? ''
    expect(destination).toContain('forward')
    expect(destination).toContain('http://***@127.0.0.1')
    expect(await page.content()).not.toMatch(/FoRwArDpW|ToKeN/)
    const badge = page.locator('#failed-badge')
    await expect.poll(() => badge.isVisible()).toBe(true)
    expect(await badge.textContent()).toBe('1 failed delivery')

    await row.getByRole('button', { name: 'Retry' }).click()
    // the dispatcher sends it at once; the stream's delivery-state event redraws the tab
    await page.locator('#deliveries tr.delivery[data-state="delivered"]').waitFor()
    expect(await page.locator('#deliveries tr.delivery td').nth(3).textContent()).toBe(
      'HTTP 200 accepted'
    )
    expect(await page.locator('#deliveries tr.delivery td').nth(2).textContent()).toBe('2')
    await expect.poll(() => badge.isVisible()).toBe(false)
    expect(app.requests).toHaveLength(2)
    expect(errors).toEqual([])
  })
})
