import {
  BOOLEAN_SPELLINGS,
  DURATION_SPELLINGS,
  parseBoolean,
  parseDuration,
  splitUrlCredentials,
} from '@up42-webhooks/common'
import { parseStatusList } from '@up42-webhooks/shared'
import { ConfigError } from './errors.ts'

/**
 * Values that win over the environment (the Pipedream steps pass their props, the local relay
 * and the tests `{}`); an empty string counts as "not set".
 */
export interface ConfigOverrides {
  secret?: string | undefined
  receiverUrl?: string | undefined
  receiverUser?: string | undefined
  receiverPassword?: string | undefined
  notifiableStatuses?: string | undefined
  budget?: string | undefined
  /** A boolean (a Pipedream boolean prop); "1"/"0" style strings are read as the variable is. */
  requireBodyDigest?: boolean | string | undefined
}

export type Env = Record<string, string | undefined>

export interface ValidateConfig {
  secret: string
  /** Undefined means the shared package's default notifiable statuses. */
  statuses: string[] | undefined
  /** Reject (BODY_NOT_SIGNED) signatures that cover no content-digest/digest. */
  requireBodyDigest?: boolean | undefined
}

export interface ForwardConfig {
  /** Base URL without credentials, query or trailing slash. */
  receiverUrl: string
  username: string
  password: string
  /** Everything (ping, POST, retries, waits) must fit in this. */
  budgetMs: number
  pingTimeoutMs: number
  requestTimeoutMs: number
}

export type RelayConfig = ValidateConfig & ForwardConfig

/**
 * Short on purpose: the local relay's sender waits for this before its 202, and once a failure
 * outlasts a few seconds the re-run schedule (starting at 15 s) is the better retry.
 */
export const DEFAULT_BUDGET_MS = 5_000
export const DEFAULT_PING_TIMEOUT_MS = 5_000
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000

/**
 * Where each setting is looked up, in order, after its prop. The lower-case names are the
 * original article's, so workflows set up from it keep working unchanged.
 */
export const ENV_NAMES = {
  secret: ['UP42_WEBHOOK_SECRET', 'up42_webhook_secret_zwei', 'up42_webhook_secret'],
  receiverUrl: ['RECEIVER_URL', 'local_dev_host'],
  receiverUser: ['RECEIVER_USER', 'ngrok_basic_auth_user'],
  receiverPassword: ['RECEIVER_PASSWORD', 'ngrok_basic_auth_pass'],
  notifiableStatuses: ['NOTIFIABLE_STATUSES'],
  budget: ['FORWARD_BUDGET'],
  requireBodyDigest: ['REQUIRE_BODY_DIGEST'],
} as const satisfies Record<keyof ConfigOverrides, readonly string[]>

type Setting = keyof typeof ENV_NAMES

export interface Found {
  value: string
  /** The prop or variable the value came from, for error messages. */
  source: string
}

/**
 * A setting's value: the override `name` when it is a non-empty string, else the first
 * non-empty of `envNames`. Exported for the settings that are not the core's (re-runs).
 */
export function findSetting(
  name: string,
  override: unknown,
  envNames: readonly string[],
  env: Env
): Found | undefined {
  if (typeof override === 'string' && override.trim() !== '')
    return { value: override.trim(), source: `prop ${name}` }
  for (const envName of envNames) {
    const value = env[envName]
    if (typeof value === 'string' && value.trim() !== '')
      return { value: value.trim(), source: envName }
  }
  return undefined
}

function lookup(setting: Setting, props: ConfigOverrides, env: Env): Found | undefined {
  return findSetting(setting, props[setting], ENV_NAMES[setting], env)
}

function primaryName(setting: Setting): string {
  return ENV_NAMES[setting][0]
}

function missing(setting: Setting): ConfigError {
  const [first, ...aliases] = ENV_NAMES[setting]
  const alias = aliases.length > 0 ? ` (or ${aliases.join(' / ')})` : ''
  return new ConfigError(
    `${first} is not set: set the step prop "${setting}" or the environment variable ${first}${alias}`,
    { code: 'MISSING', variable: first }
  )
}

function required(setting: Setting, props: ConfigOverrides, env: Env): Found {
  const found = lookup(setting, props, env)
  if (!found) throw missing(setting)
  return found
}

/** Common's duration rule, above zero (a zero budget or wait would mean "never try"). */
export function positiveDuration(text: string): number | undefined {
  const ms = parseDuration(text)
  return ms !== undefined && ms > 0 ? ms : undefined
}

/** A duration setting in ms (`fallback` when unset); ConfigError naming `variable` otherwise. */
export function durationSetting(
  variable: string,
  found: Found | undefined,
  fallback: string
): number {
  const ms = positiveDuration(found?.value ?? fallback)
  if (ms === undefined) {
    throw new ConfigError(
      `${found?.source ?? variable} must be ${DURATION_SPELLINGS}, above zero`,
      {
        code: 'INVALID',
        variable,
      }
    )
  }
  return ms
}

/** A boolean prop wins; otherwise its variable; unset means false. */
function flag(setting: Setting, props: ConfigOverrides, env: Env): boolean {
  const prop = props[setting]
  if (typeof prop === 'boolean') return prop
  const found = lookup(setting, props, env)
  if (found === undefined) return false
  const value = parseBoolean(found.value)
  if (value !== undefined) return value
  throw new ConfigError(`${found.source} must be one of ${BOOLEAN_SPELLINGS}`, {
    code: 'INVALID',
    variable: primaryName(setting),
  })
}

export function resolveValidateConfig(props: ConfigOverrides, env: Env): ValidateConfig {
  const secret = required('secret', props, env).value
  const statuses = lookup('notifiableStatuses', props, env)
  let parsed: string[] | undefined
  if (statuses) {
    parsed = parseStatusList(statuses.value)
    if (parsed.length === 0) {
      throw new ConfigError(`${statuses.source} lists no status`, {
        code: 'INVALID',
        variable: 'NOTIFIABLE_STATUSES',
      })
    }
  }
  return { secret, statuses: parsed, requireBodyDigest: flag('requireBodyDigest', props, env) }
}

export function resolveForwardConfig(props: ConfigOverrides, env: Env): ForwardConfig {
  const urlFound = required('receiverUrl', props, env)
  let url: URL
  try {
    url = new URL(urlFound.value)
  } catch {
    throw new ConfigError(`${urlFound.source} is not an absolute URL`, {
      code: 'INVALID',
      variable: 'RECEIVER_URL',
    })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${urlFound.source} must be an http(s) URL`, {
      code: 'INVALID',
      variable: 'RECEIVER_URL',
    })
  }
  // Credentials embedded in the URL are accepted but moved to the authorization header, so the
  // URL can be logged and put into errors.
  let fromUrl: ReturnType<typeof splitUrlCredentials>
  try {
    fromUrl = splitUrlCredentials(url)
  } catch {
    throw new ConfigError(`${urlFound.source} has a badly %-escaped user or password`, {
      code: 'INVALID',
      variable: 'RECEIVER_URL',
    })
  }
  url = fromUrl.url
  const username = lookup('receiverUser', props, env)?.value ?? fromUrl.username
  const password = lookup('receiverPassword', props, env)?.value ?? fromUrl.password
  if (username === undefined) throw missing('receiverUser')
  if (password === undefined) throw missing('receiverPassword')
  if (username.includes(':')) {
    // RFC 7617: basic auth cannot carry a ':' in the user name
    throw new ConfigError('the receiver user name must not contain ":"', {
      code: 'INVALID',
      variable: 'RECEIVER_USER',
    })
  }
  const budgetMs = durationSetting(
    primaryName('budget'),
    lookup('budget', props, env),
    `${DEFAULT_BUDGET_MS}ms`
  )
  return {
    receiverUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    username,
    password,
    budgetMs,
    pingTimeoutMs: Math.min(DEFAULT_PING_TIMEOUT_MS, budgetMs),
    requestTimeoutMs: Math.min(DEFAULT_REQUEST_TIMEOUT_MS, budgetMs),
  }
}

export function resolveRelayConfig(props: ConfigOverrides, env: Env): RelayConfig {
  return { ...resolveValidateConfig(props, env), ...resolveForwardConfig(props, env) }
}
