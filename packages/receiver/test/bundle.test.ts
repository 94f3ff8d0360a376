import path from 'node:path'
import {
  createTempDir,
  startProgram,
  type RunningProgram,
  type TempDir,
} from '@up42-webhooks/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUNDLE_MAIN, bundleReceiver } from '../scripts/bundle.ts'
import { DEFAULT_DB_PATH } from '../src/config.ts'
import { REPO_DIR, runPnpmInRepo } from './receiver-process.ts'

const TIMEOUT_MS = 90_000

describe('the production bundle (pnpm build, then plain node)', () => {
  let dir: TempDir
  let bundle: RunningProgram | undefined

  beforeAll(async () => {
    dir = await createTempDir('receiver-bundle-')
    const outputs = await bundleReceiver()
    expect(outputs.map((file) => path.basename(file))).toEqual(['main.mjs'])
  }, TIMEOUT_MS)

  afterAll(async () => {
    await bundle?.stop()
    await dir.remove()
  })

  it(
    'serves /ping, the inspector page and its assets, stores a POST, and exits 0 on SIGTERM',
    async () => {
      // no --import tsx: every TypeScript file, @up42-webhooks/shared included, must be in the bundle
      bundle = await startProgram(process.execPath, [BUNDLE_MAIN, '--port', '0', '--quiet'], {
        // another folder than the package's, so nothing is found relative to the working directory
        cwd: dir.path,
        dropEnv: /^(?!PATH$)/,
        env: { RECEIVER_DB: dir.file('webhooks.db') },
      })
      const { url, child } = bundle

      const ping = await fetch(`${url}/ping`)
      expect([ping.status, await ping.text()]).toEqual([200, 'PONG'])

      const page = await fetch(`${url}/`)
      expect(page.status).toBe(200)
      const html = await page.text()
      const script = /src="(assets\/[0-9a-f]+\/app\.js)"/.exec(html)?.[1]
      expect(script).toBeDefined()
      const asset = await fetch(`${url}/${script!}`)
      expect(asset.status).toBe(200)
      expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      expect(await asset.text()).toContain('import')

      const stored = await fetch(`${url}/receive-webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'job.status', liveMode: true, messageId: 'bundle-1' }),
      })
      expect([stored.status, await stored.text()]).toEqual([
        200,
        '{"msg": "value with key 1 stored"}\n',
      ])
      const dump = await (await fetch(`${url}/dump-webhooks`)).text()
      expect(dump).toBe(
        '{"event":"job.status","liveMode":true,"messageId":"bundle-1"}\n{"number_webhooks_received": 1}\n'
      )

      child.kill('SIGTERM')
      expect(await bundle.exited).toEqual({ code: 0, signal: null })
      expect(bundle.stdout()).toContain('database closed, bye')
      expect(bundle.stderr()).toBe('')
    },
    TIMEOUT_MS
  )
})

// In this file, not beside it: `pnpm start` rebuilds dist/main.mjs, which the test above runs.
describe('pnpm start, as the README spells it', () => {
  it.each(['start -- --help', 'start --help', '--filter @up42-webhooks/receiver start -- --help'])(
    'pnpm %s: prints the usage with the one default database, exits 0',
    async (command) => {
      const run = await runPnpmInRepo(command.split(' '))
      expect(run.stderr).not.toContain('receiver:')
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Usage: npx -y pnpm@10.34.9 start -- [options]\n')
      expect(run.stdout).toContain(`RECEIVER_DB (${DEFAULT_DB_PATH};`)
      expect(DEFAULT_DB_PATH).toBe(path.join(REPO_DIR, 'data', 'webhooks.db'))
    },
    TIMEOUT_MS
  )

  it(
    'pnpm start -- --port 70000: the flag reaches the receiver, which exits 2 naming it',
    async () => {
      const run = await runPnpmInRepo(['start', '--', '--port', '70000'])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('receiver: --port must be an integer from 0 to 65535')
    },
    TIMEOUT_MS
  )
})
