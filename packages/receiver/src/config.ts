import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SERVER_HEADER,
  DEFAULT_SIGNATURE_MAX_AGE_SECONDS,
} from './app.ts'
import { AllowedHostError, parseAllowedHosts } from './allowed-hosts.ts'
import { readBooleanEnv, readDurationEnv } from '@up42-webhooks/common'
import { ConfigError } from './errors.ts'
import { DEFAULT_REPLAY_CONCURRENCY } from './replay.ts'

export interface ReceiverConfig {
  port: number
  host: string
  /** File path or `:memory:`. */
  dbPath: string
  auth: { username: string; password: string } | null
  /** RECEIVER_ALLOWED_HOSTS, normalized: served Host names besides loopback and `host`. */
  allowedHosts: string[]
  maxBodyBytes: number
  serverHeader: string
  secret: string | null
  requireSignature: boolean
  /** Only `verified` (signature and signed body digest) is stored; implies requireSignature. */
  requireBodyDigest: boolean
  signatureMaxAgeSeconds: number
  allowOpen: boolean
  replayUrl: string | null
  /** Most replays in flight at once. */
  replayConcurrency: number
  /** No access log lines. */
  quiet: boolean
  help: boolean
}

/**
 * `data/webhooks.db` in the workspace root (the folder with pnpm-workspace.yaml above this
 * module), so `pnpm start` at the root, `pnpm --filter @up42-webhooks/receiver start` in the
 * package and the bundle in `dist/` all open one database, whatever the working directory.
 * Outside a workspace: `./data/webhooks.db` of the working directory.
 */
export function defaultDbPath(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml')))
      return path.join(dir, 'data', 'webhooks.db')
    if (path.dirname(dir) === dir) return path.resolve('data', 'webhooks.db')
  }
}

/** Where the receiver keeps its webhooks unless RECEIVER_DB or --db says otherwise. */
export const DEFAULT_DB_PATH = defaultDbPath()

export const USAGE = `Usage: npx -y pnpm@10.34.9 start -- [options]
   or: node packages/receiver/dist/main.mjs [options]

Options (each mirrors an environment variable):
  --port <n>        PORT (9888; 0 picks a free port)
  --host <addr>     HOST (127.0.0.1)
  --db <path>       RECEIVER_DB (${DEFAULT_DB_PATH}; :memory: keeps nothing)
  --quiet           RECEIVER_QUIET=1: no access log lines
  --allow-open      RECEIVER_ALLOW_OPEN=1: listen on a non-loopback HOST without basic auth
  --allowed-hosts <list>
                    RECEIVER_ALLOWED_HOSTS: Host names served without basic auth besides
                    loopback and HOST, comma-separated; .example.com also matches subdomains
  --help            this text

Other variables: RECEIVER_USER + RECEIVER_PASSWORD (basic auth), RECEIVER_MAX_BODY_BYTES (1048576),
SERVER_HEADER (LeRenard2000), UP42_WEBHOOK_SECRET, RECEIVER_REQUIRE_SIGNATURE=1, RECEIVER_REQUIRE_BODY_DIGEST=1,
RECEIVER_SIGNATURE_MAX_AGE (86400 seconds), REPLAY_URL, RECEIVER_REPLAY_CONCURRENCY (8 replays in flight).`

type Env = Record<string, string | undefined>

function readInteger(key: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
  if (!(n >= min && n <= max)) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max}`, {
      code: 'INVALID',
      variable: key,
    })
  }
  return n
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value

const MAX_SIGNATURE_MAX_AGE_MS = 365 * 24 * 3_600_000

/** RECEIVER_SIGNATURE_MAX_AGE: a duration (a bare number is seconds, as before), 1 s to 365 days. */
function readMaxAge(env: Env): number {
  const variable = 'RECEIVER_SIGNATURE_MAX_AGE'
  const ms = readDurationEnv(env, variable, {
    fallbackMs: DEFAULT_SIGNATURE_MAX_AGE_SECONDS * 1000,
    minMs: 1000,
  })
  if (ms > MAX_SIGNATURE_MAX_AGE_MS) {
    throw new ConfigError(`${variable} must be at most 365 days`, { code: 'INVALID', variable })
  }
  return Math.round(ms / 1000)
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/**
 * Reads the receiver's configuration from the environment, with command-line flags taking
 * precedence.
 *
 * @throws {ConfigError} naming the variable (never echoing secrets) when one is invalid, when
 *   only one of RECEIVER_USER/RECEIVER_PASSWORD is set, or when a non-loopback HOST would be
 *   served without basic auth and without --allow-open
 */
export function readReceiverConfig(env: Env, argv: readonly string[] = []): ReceiverConfig {
  let flags: ReturnType<typeof parseFlags>
  try {
    flags = parseFlags(argv)
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${USAGE}`, {
      code: 'INVALID',
      variable: 'argv',
      cause: error,
    })
  }
  const { values } = flags

  const port = readInteger(
    values.port === undefined ? 'PORT' : '--port',
    values.port ?? nonEmpty(env.PORT) ?? '9888',
    0,
    65535
  )
  const host = values.host ?? nonEmpty(env.HOST) ?? '127.0.0.1'
  const dbPath = values.db ?? nonEmpty(env.RECEIVER_DB) ?? DEFAULT_DB_PATH

  const username = nonEmpty(env.RECEIVER_USER)
  const password = nonEmpty(env.RECEIVER_PASSWORD)
  if ((username === undefined) !== (password === undefined)) {
    const missing = username === undefined ? 'RECEIVER_USER' : 'RECEIVER_PASSWORD'
    throw new ConfigError(
      `${missing} is not set: basic auth needs both RECEIVER_USER and RECEIVER_PASSWORD`,
      { code: 'MISSING', variable: missing }
    )
  }
  if (username !== undefined && username.includes(':')) {
    throw new ConfigError('RECEIVER_USER must not contain ":"', {
      code: 'INVALID',
      variable: 'RECEIVER_USER',
    })
  }
  const auth = username !== undefined && password !== undefined ? { username, password } : null

  const allowedHostsKey =
    values['allowed-hosts'] === undefined ? 'RECEIVER_ALLOWED_HOSTS' : '--allowed-hosts'
  let allowedHosts: string[]
  try {
    allowedHosts = parseAllowedHosts(values['allowed-hosts'] ?? env.RECEIVER_ALLOWED_HOSTS ?? '')
  } catch (error) {
    if (!(error instanceof AllowedHostError)) throw error
    throw new ConfigError(`${allowedHostsKey}: ${error.message}`, {
      code: 'INVALID',
      variable: allowedHostsKey,
      cause: error,
    })
  }

  const maxBodyBytes = readInteger(
    'RECEIVER_MAX_BODY_BYTES',
    nonEmpty(env.RECEIVER_MAX_BODY_BYTES) ?? String(DEFAULT_MAX_BODY_BYTES),
    1,
    64 * 1024 * 1024
  )
  const serverHeader = env.SERVER_HEADER ?? DEFAULT_SERVER_HEADER
  if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(serverHeader)) {
    throw new ConfigError('SERVER_HEADER must be printable ASCII', {
      code: 'INVALID',
      variable: 'SERVER_HEADER',
    })
  }

  const secret = nonEmpty(env.UP42_WEBHOOK_SECRET) ?? null
  const requireSignature = readBooleanEnv(env, 'RECEIVER_REQUIRE_SIGNATURE')
  const requireBodyDigest = readBooleanEnv(env, 'RECEIVER_REQUIRE_BODY_DIGEST')
  if ((requireSignature || requireBodyDigest) && secret === null) {
    const variable = requireBodyDigest
      ? 'RECEIVER_REQUIRE_BODY_DIGEST'
      : 'RECEIVER_REQUIRE_SIGNATURE'
    throw new ConfigError(`${variable}=1 needs UP42_WEBHOOK_SECRET to verify signatures`, {
      code: 'MISSING',
      variable: 'UP42_WEBHOOK_SECRET',
    })
  }

  const signatureMaxAgeSeconds = readMaxAge(env)

  const replayUrl = nonEmpty(env.REPLAY_URL) ?? null
  if (replayUrl !== null && !URL.canParse(replayUrl)) {
    throw new ConfigError('REPLAY_URL must be an absolute URL', {
      code: 'INVALID',
      variable: 'REPLAY_URL',
    })
  }

  const replayConcurrency = readInteger(
    'RECEIVER_REPLAY_CONCURRENCY',
    nonEmpty(env.RECEIVER_REPLAY_CONCURRENCY) ?? String(DEFAULT_REPLAY_CONCURRENCY),
    1,
    1000
  )

  const allowOpen = values['allow-open'] === true || readBooleanEnv(env, 'RECEIVER_ALLOW_OPEN')
  if (!isLoopbackHost(host) && auth === null && !allowOpen) {
    throw new ConfigError(
      `refusing to listen on ${host} without basic auth: anyone who can reach it could read ` +
        'and delete the stored webhooks. Set RECEIVER_USER and RECEIVER_PASSWORD, or pass ' +
        '--allow-open (RECEIVER_ALLOW_OPEN=1) if the network is trusted.',
      { code: 'UNSAFE', variable: 'HOST' }
    )
  }

  return {
    port,
    host,
    dbPath,
    auth,
    allowedHosts,
    maxBodyBytes,
    serverHeader,
    secret,
    requireSignature,
    requireBodyDigest,
    signatureMaxAgeSeconds,
    allowOpen,
    replayUrl,
    replayConcurrency,
    quiet: values.quiet === true || readBooleanEnv(env, 'RECEIVER_QUIET'),
    help: values.help === true,
  }
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    // `pnpm start -- --port 1` passes the `--` through to the program; `pnpm start --port 1` not
    args: argv[0] === '--' ? argv.slice(1) : [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      quiet: { type: 'boolean' },
      'allow-open': { type: 'boolean' },
      'allowed-hosts': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
