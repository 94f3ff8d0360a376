import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import path from 'node:path'
import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import {
  createTempDir,
  freePort,
  runTsx,
  startRecordingServer,
  startTsx,
} from '@up42-webhooks/test-support'
import type { RecordingServer, RunningProgram, TempDir } from '@up42-webhooks/test-support'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  discordService,
  ntfyService,
  slackService,
  teamsService,
} from '../../destinations/test/fake-services.ts'
import type { DeliveryView } from '../src/routes/deliveries.ts'

const MAIN = path.join(import.meta.dirname, '../src/main.ts')
const SECRET = 'QWZTFnMEXhqZKNmu'

const closers: (() => Promise<unknown>)[] = []
let dir: TempDir

beforeEach(async () => {
  dir = await createTempDir('receiver-destinations-')
  closers.push(() => dir.remove())
})

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

async function recording(fallback?: Parameters<typeof startRecordingServer>[0]) {
  const server = await startRecordingServer(fallback)
  closers.push(() => server.close())
  return server
}

async function receiver(env: Record<string, string>): Promise<RunningProgram> {
  const program = await startTsx(MAIN, [], {
    env: {
      PORT: '0',
      RECEIVER_DB: dir.file('webhooks.db'),
      RECEIVER_QUIET: '1',
      RECEIVER_RETRY_SCHEDULE: '200ms',
      RECEIVER_DELIVERY_TIMEOUT: '2s',
      ...env,
    },
    dropEnv: /^(UP42_|RECEIVER_)/,
    readyPath: '/ping',
  })
  closers.push(() => program.stop())
  return program
}

/** POSTs a webhook signed as UP42 signs it; resolves with the stored webhook's id. */
async function post(url: string, body: string): Promise<number> {
  const bytes = new TextEncoder().encode(body)
  const headers = await signWebhook({ body: bytes, secret: SECRET })
  const response = await fetch(`${url}/receive-webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: bytes,
  })
  expect(response.status).toBe(200)
  const { msg } = (await response.json()) as { msg: string }
  return Number(/key (\d+)/.exec(msg)![1])
}

async function deliveriesOf(url: string, id: number): Promise<DeliveryView[]> {
  const response = await fetch(`${url}/api/webhooks/${id}/deliveries`)
  return ((await response.json()) as { items: DeliveryView[] }).items
}

/** Polls the API (an observable state, no fixed sleep) until `done` holds for the deliveries. */
async function until(
  url: string,
  id: number,
  done: (items: DeliveryView[]) => boolean
): Promise<DeliveryView[]> {
  for (;;) {
    const items = await deliveriesOf(url, id)
    if (done(items)) return items
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
const allDelivered = (items: DeliveryView[]) =>
  items.length > 0 && items.every((d) => d.state === 'delivered')

const withStatus = (status: string, messageId: string) => {
  const event = JSON.parse(EXAMPLE_EVENTS.jobLive) as { body: { status: string } }
  event.body.status = status
  return JSON.stringify({ ...event, messageId })
}

// Each test starts a receiver process under tsx (1-2 s alone) and waits on real retry timers: on
// a loaded 2-core machine the default 5 s was reached once in three runs beside other suites.
describe('receiver destinations (real processes, local services)', { timeout: 20_000 }, () => {
  it('notifies ntfy, Slack, Discord and Teams in their formats and forwards the raw webhook; a RUNNING job is forwarded only; a duplicate sends nothing new', async () => {
    const ntfy = await recording({ fallback: ntfyService() })
    const slack = await recording({ fallback: slackService() })
    const discord = await recording({ fallback: discordService() })
    const teams = await recording({ fallback: teamsService() })
    const app = await recording({ fallback: { status: 200, body: 'got it' } })
    const program = await receiver({
      UP42_WEBHOOK_SECRET: SECRET,
      RECEIVER_NOTIFY: [
        `ntfy+${ntfy.url}/up42-alerts`,
        `slack+${slack.url}/services/T000/B000/SlAcKsEcReT`,
        `discord+${discord.url}/api/webhooks/1/DiScOrDsEcReT`,
        `teams+${teams.url}/workflows/abc/triggers/manual/paths/invoke?sig=TeAmSsEcReT`,
      ].join(','),
      RECEIVER_FORWARD_TO: `${app.url}/webhooks`,
      RECEIVER_PUBLIC_URL: 'https://receiver.example.com',
    })
    expect(program.stdout()).not.toMatch(/SlAcKsEcReT|DiScOrDsEcReT|TeAmSsEcReT/)

    const failed = withStatus('FAILED', 'msg-failed-1')
    const id = await post(program.url, failed)
    const [toNtfy] = await ntfy.received(1)
    const [toSlack] = await slack.received(1)
    const [toDiscord] = await discord.received(1)
    const [toTeams] = await teams.received(1)
    const [toApp] = await app.received(1)

    expect(toNtfy!.path).toBe('/up42-alerts')
    expect(toNtfy!.headers.title).toMatch(/FAILED/)
    expect(toNtfy!.headers.priority).toMatch(/high|4|5/)
    expect(toNtfy!.headers.click).toContain('https://receiver.example.com')
    expect(toNtfy!.headers['idempotency-key']).toBe('msg-failed-1:ntfy')
    const slackBody = JSON.parse(toSlack!.body.toString()) as { text: string; blocks: unknown[] }
    expect(slackBody.text).toMatch(/FAILED/)
    expect(slackBody.blocks.length).toBeGreaterThan(0)
    const discordBody = JSON.parse(toDiscord!.body.toString()) as { embeds: { title: string }[] }
    expect(discordBody.embeds[0]!.title).toMatch(/FAILED/)
    const teamsBody = JSON.parse(toTeams!.body.toString()) as { type: string }
    expect(teamsBody.type).toBe('message')
    // the app gets the bytes and the signature UP42 sent, to verify them itself
    expect(toApp!.body.toString()).toBe(failed)
    expect(toApp!.headers['idempotency-key']).toBe('msg-failed-1:forward')
    const stored = (await (await fetch(`${program.url}/api/webhooks/${id}`)).json()) as {
      headers: Record<string, string>
    }
    expect(toApp!.headers.signature).toBe(stored.headers.signature)
    expect(toApp!.headers['signature-input']).toBe(stored.headers['signature-input'])
    expect(stored.headers.signature).toMatch(/=/)

    const delivered = await until(program.url, id, allDelivered)
    expect(delivered.map((d) => [d.destination, d.lastStatus]).sort()).toEqual([
      ['discord', 204],
      ['forward', 200],
      ['ntfy', 200],
      ['slack', 200],
      ['teams', 202],
    ])
    const shown = JSON.stringify(delivered)
    expect(shown).not.toMatch(/SlAcKsEcReT|DiScOrDsEcReT|TeAmSsEcReT/)
    expect(delivered.find((d) => d.destination === 'forward')!.lastResponseExcerpt).toBe('got it')

    const running = await post(program.url, withStatus('RUNNING', 'msg-running-1'))
    const forwardedOnly = await until(program.url, running, allDelivered)
    expect(forwardedOnly.map((d) => d.destination)).toEqual(['forward'])

    const again = await post(program.url, failed)
    expect(again).toBe(id)
    const all = (await (await fetch(`${program.url}/api/deliveries`)).json()) as {
      items: DeliveryView[]
    }
    expect(all.items).toHaveLength(6)
    expect([ntfy, slack, discord, teams].map((s) => s.requests.length)).toEqual([1, 1, 1, 1])
    expect(app.requests).toHaveLength(2)
  })

  it('runs cmd: with the summary on stdin and desktop: through notify-send', async () => {
    const bin = dir.file('bin')
    await mkdir(bin)
    const notifySend = path.join(bin, 'notify-send')
    await writeFile(notifySend, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir.file('desktop.txt')}"\n`)
    await chmod(notifySend, 0o755)
    const cmdOut = dir.file('cmd.json')
    const program = await receiver({
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      RECEIVER_NOTIFY: `desktop: cmd:cat > "${cmdOut}"; echo "$UP42_STATUS $UP42_JOB_ID" >> "${cmdOut}.env"`,
    })
    const id = await post(program.url, withStatus('FAILED', 'msg-cmd-1'))
    const items = await until(program.url, id, allDelivered)
    expect(items.map((d) => d.destination).sort()).toEqual(['cmd', 'desktop'])
    const summary = JSON.parse(await readFile(cmdOut, 'utf8')) as { status: string }
    expect(summary.status).toBe('FAILED')
    expect(await readFile(`${cmdOut}.env`, 'utf8')).toMatch(/^FAILED \S+/)
    expect(await readFile(dir.file('desktop.txt'), 'utf8')).toMatch(/FAILED/)
  })

  it('delivers exactly once after a SIGKILL while the app was down, once the app is up', async () => {
    const port = await freePort()
    const program = await receiver({ RECEIVER_FORWARD_TO: `http://127.0.0.1:${port}/hook` })
    const id = await post(program.url, withStatus('SUCCEEDED', 'msg-crash-1'))
    // the app is down: at least one attempt failed to connect, and the delivery is pending
    const [pending] = await until(program.url, id, (items) => items[0]!.attempts >= 1)
    expect(pending).toMatchObject({ state: 'pending', lastStatus: null })
    expect(pending!.lastError).toMatch(/ECONNREFUSED/)
    program.child.kill('SIGKILL')
    await program.exited

    const received: string[] = []
    const appServer: Server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        received.push(`${req.headers['idempotency-key']} ${body.length}`)
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => appServer.listen(port, '127.0.0.1', resolve))
    closers.push(() => new Promise((resolve) => appServer.close(resolve)))

    const restarted = await receiver({ RECEIVER_FORWARD_TO: `http://127.0.0.1:${port}/hook` })
    const [delivered] = await until(restarted.url, id, allDelivered)
    expect(delivered!.lastStatus).toBe(200)
    expect(received).toEqual([
      `msg-crash-1:forward ${withStatus('SUCCEEDED', 'msg-crash-1').length}`,
    ])
  })

  it('gives up after a short maximum age: failed, kept, and retried by hand from the API', async () => {
    const app = await recording({ fallback: { status: 503, body: 'maintenance' } })
    const program = await receiver({
      RECEIVER_FORWARD_TO: `${app.url}/hook`,
      RECEIVER_RETRY_SCHEDULE: '50ms',
      RECEIVER_RETRY_MAX_AGE: '400ms',
    })
    const id = await post(program.url, withStatus('FAILED', 'msg-giveup-1'))
    const [failed] = await until(program.url, id, (items) => items[0]!.state === 'failed')
    expect(failed).toMatchObject({ lastStatus: 503, lastResponseExcerpt: 'maintenance' })
    expect(failed!.lastError).toMatch(/gave up/)
    const failedList = (await (
      await fetch(`${program.url}/api/deliveries?state=failed`)
    ).json()) as {
      items: DeliveryView[]
    }
    expect(failedList.items.map((d) => d.id)).toEqual([failed!.id])

    app.script({ status: 200, body: 'back' })
    const retry = await fetch(`${program.url}/api/deliveries/${failed!.id}/retry`, {
      method: 'POST',
    })
    expect(retry.status).toBe(200)
    const [delivered] = await until(program.url, id, allDelivered)
    expect(delivered).toMatchObject({ lastStatus: 200, lastResponseExcerpt: 'back' })
  })

  it('--test-destinations prints each outcome and exits 0 only when all succeed', async () => {
    const ntfy = await recording({ fallback: ntfyService() })
    const app = await recording({ fallback: { status: 404, body: 'no route' } })
    const ok = await runTsx(MAIN, ['--test-destinations'], {
      env: { RECEIVER_NOTIFY: `ntfy+${ntfy.url}/t?auth=NtFyToKeN`, RECEIVER_DB: ':memory:' },
      dropEnv: /^(UP42_|RECEIVER_)/,
    })
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^ok {3}ntfy .* HTTP 200/m)
    expect(ok.stdout).not.toMatch(/NtFyToKeN/)
    const bad = await runTsx(MAIN, ['--test-destinations', '--forward-to', `${app.url}/x`], {
      env: { RECEIVER_NOTIFY: `ntfy+${ntfy.url}/t`, RECEIVER_DB: ':memory:' },
      dropEnv: /^(UP42_|RECEIVER_)/,
    })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/^FAIL forward .* HTTP 404: no route/m)
    expect(ntfy.requests).toHaveLength(2)
  })
})
