import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRelayServer } from './create-relay-server.ts'
import { loadStepBundle } from './load-step-bundle.ts'

const DEFAULT_BUNDLE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../dist/steps/relay.mjs'
)

const fail = (message: string, code: number): never => {
  process.stderr.write(`relay: ${message}\n`)
  process.exit(code)
}

const portText = process.env.RELAY_PORT ?? '8787'
const port =
  /^\d+$/.test(portText) && Number(portText) <= 65535
    ? Number(portText)
    : fail('RELAY_PORT must be a port number (0-65535)', 2)
const host = process.env.RELAY_HOST || '127.0.0.1'
const bodyRawText = (process.env.RELAY_BODY_RAW ?? '1').toLowerCase()
if (!['0', '1', 'true', 'false'].includes(bodyRawText)) fail('RELAY_BODY_RAW must be 1 or 0', 2)
const quiet = ['1', 'true'].includes((process.env.RELAY_QUIET ?? '').toLowerCase())
const bundle = path.resolve(process.env.RELAY_BUNDLE || DEFAULT_BUNDLE)
if (!existsSync(bundle)) fail(`${bundle} not found: run \`pnpm build\` first`, 1)

const component = await loadStepBundle(bundle)
const spoolDir = path.resolve(process.env.RELAY_SPOOL_DIR || 'data/relay-spool')
const relay = createRelayServer({
  component,
  spoolDir,
  bodyRaw: bodyRawText === '1' || bodyRawText === 'true',
  log: quiet ? undefined : (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
})
const url = await relay
  .listen(port, host)
  .catch((error: Error) => fail(`cannot listen: ${error.message}`, 1))
process.stdout.write(
  `up42-webhooks relay listening on ${url}/ (step ${path.relative(process.cwd(), bundle)})\n`
)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    const pending = relay.pendingReruns()
    if (pending > 0)
      process.stdout.write(`relay: ${pending} pending re-run(s) kept in ${spoolDir}\n`)
    void relay.close().then(() => process.exit(0))
  })
}
