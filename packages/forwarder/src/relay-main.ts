import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  resolveForwardConfig,
  resolveRelayConfig,
  resolveValidateConfig,
  type Env,
} from './core/config.ts'
import { DestinationConfigError, sendNotification } from '@up42-webhooks/destinations/node'
import { resolveRerunConfig } from './steps/rerun-config.ts'
import { readBooleanEnv } from '@up42-webhooks/common'
import { ConfigError } from './core/errors.ts'
import { resolveNotifyConfig, type NotifyConfig } from './core/notify.ts'
import { createRelayServer } from './create-relay-server.ts'
import { invokedCommand } from './invoked-command.ts'
import { loadStepBundle } from './load-step-bundle.ts'

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DEFAULT_BUNDLE = path.join(PACKAGE_DIR, 'dist/steps/relay.mjs')
// Anchored at the workspace root, so `pnpm relay` and `pnpm --filter … relay` share one spool.
const DEFAULT_SPOOL_DIR = path.resolve(PACKAGE_DIR, '../../data/relay-spool')

const USAGE = `Usage: ${invokedCommand('relay')} [--help]

Runs the built Pipedream relay step on http://127.0.0.1:8787/: every request becomes a Pipedream
HTTP trigger event; valid webhooks are forwarded to the receiver, re-runs are spooled to disk.
Configured by environment variables:
  UP42_WEBHOOK_SECRET     signing secret (required; or up42_webhook_secret_zwei / up42_webhook_secret)
  RECEIVER_URL            receiver base URL (required; or local_dev_host), e.g. http://localhost:9888
  RECEIVER_USER           basic-auth user (required; or ngrok_basic_auth_user, or user@ in the URL)
  RECEIVER_PASSWORD       basic-auth password (required; or ngrok_basic_auth_pass, or :pass@ in the URL)
  NOTIFIABLE_STATUSES     comma list (default: the terminal job and order statuses)
  FORWARD_BUDGET          ping + POST + their retries before answering 202 (5s)
  FORWARD_RERUN_SCHEDULE  waits between re-runs, last one repeating (15s,1m,5m,30m)
  FORWARD_MAX_WAIT        give up after waiting this long in total (12h)
  NOTIFY                  who to tell about each valid webhook, comma- or space-separated:
                          ntfy+https://ntfy.sh/<topic>, slack+https://hooks.slack.com/services/…,
                          discord+https://discord.com/api/webhooks/…, teams+https://…, json+https://…,
                          desktop:, cmd:<command line> (sent by the relay, not the step; none by default)
  RELAY_PORT (8787), RELAY_HOST (127.0.0.1), RELAY_BUNDLE (packages/forwarder/dist/steps/relay.mjs),
  RELAY_BODY_RAW (1), RELAY_SPOOL_DIR (data/relay-spool at the workspace root), RELAY_QUIET (0)
Switches take 1/0, true/false, yes/no or on/off; durations 200ms, 20s, 5m, 1h (a bare number is
seconds); lists are separated by commas and/or spaces.
Exit code: 2 for a bad flag or a missing or invalid setting, 1 when it cannot start.`

const fail = (message: string, code: number, usage = false): never => {
  process.stderr.write(`relay: ${message}\n${usage ? `\n${USAGE}\n` : ''}`)
  process.exit(code)
}

let help: boolean | undefined
try {
  help = parseArgs({
    // pnpm passes the `--` of `pnpm relay -- --help` along.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: { help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  }).values.help
} catch (error) {
  fail((error as Error).message, 2, true)
}
if (help) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}

const portText = process.env.RELAY_PORT ?? '8787'
const port =
  /^\d+$/.test(portText) && Number(portText) <= 65535
    ? Number(portText)
    : fail('RELAY_PORT must be a port number (0-65535)', 2)
const host = process.env.RELAY_HOST || '127.0.0.1'
/** Common's boolean rule, as every program of this repo reads its switches. */
const readSwitch = (variable: string, fallback: boolean): boolean => {
  try {
    return readBooleanEnv(process.env, variable, fallback)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return fail(error.message, 2)
  }
}
const bodyRaw = readSwitch('RELAY_BODY_RAW', true)
const quiet = readSwitch('RELAY_QUIET', false)
const bundle = path.resolve(process.env.RELAY_BUNDLE || DEFAULT_BUNDLE)

/**
 * The settings the bundled step will read on each run, checked now: without them every webhook
 * would fail, and only the first one would tell. Each problem is reported, naming its variable
 * (a ConfigError never carries the value). Returns the receiver URL, if the step forwards.
 */
function checkStepConfig(env: Env): {
  problems: string[]
  receiverUrl?: string | undefined
  notify?: NotifyConfig | undefined
} {
  const step = path.basename(bundle, '.mjs')
  const problems: string[] = []
  const check = <T>(resolve: () => T): T | undefined => {
    try {
      return resolve()
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      problems.push(error.message)
      return undefined
    }
  }
  if (step !== 'forward') check(() => resolveValidateConfig({}, env))
  // The relay sends NOTIFY itself (with desktop: and cmd:), after the step found a webhook valid.
  let notify: NotifyConfig | undefined
  try {
    notify = resolveNotifyConfig({}, env, { allowLocal: true })
  } catch (error) {
    if (!(error instanceof DestinationConfigError)) throw error
    problems.push(error.message)
  }
  if (step === 'validate') return { problems, notify }
  const forward = check(() => resolveForwardConfig({}, env))
  check(() => resolveRerunConfig({}, env))
  if (step !== 'forward' && problems.length === 0) check(() => resolveRelayConfig({}, env))
  return { problems, receiverUrl: forward?.receiverUrl, notify }
}

const { problems, receiverUrl, notify } = checkStepConfig(process.env)
if (problems.length > 0) fail(`${problems.join('\nrelay: ')}\n(see --help)`, 2)
// Taken for the relay itself: the validate or relay step it runs would otherwise notify too (and
// refuse desktop: / cmd:, which only the relay can run).
delete process.env.NOTIFY
if (!existsSync(bundle)) fail(`${bundle} not found: run \`pnpm build\` first`, 1)

const component = await loadStepBundle(bundle)
const spoolDir = path.resolve(process.env.RELAY_SPOOL_DIR || DEFAULT_SPOOL_DIR)
const relay = createRelayServer({
  component,
  spoolDir,
  bodyRaw,
  notify: notify && { config: notify, send: sendNotification },
  log: quiet ? undefined : (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  warn: (line) => process.stderr.write(`${new Date().toISOString()} relay: ${line}\n`),
})
const url = await relay
  .listen(port, host)
  .catch((error: Error) => fail(`cannot listen: ${error.message}`, 1))
process.stdout.write(
  `up42-webhooks relay listening on ${url}/ (step ${path.relative(process.cwd(), bundle)})\n` +
    `${receiverUrl ? `forwarding to ${receiverUrl}, ` : ''}re-runs spooled in ${spoolDir}\n` +
    (notify && notify.destinations.length > 0
      ? `notifying ${notify.destinations.map((destination) => destination.display).join(', ')}\n`
      : '')
)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    const pending = relay.pendingReruns()
    if (pending > 0)
      process.stdout.write(`relay: ${pending} pending re-run(s) kept in ${spoolDir}\n`)
    void relay.close().then(() => process.exit(0))
  })
}
