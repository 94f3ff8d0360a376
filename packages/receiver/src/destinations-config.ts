import { readFileSync } from 'node:fs'
import { parseDuration, parseList } from '@up42-webhooks/common'
import {
  DestinationConfigError,
  parseNotifyList,
  parseNotifyTarget,
} from '@up42-webhooks/destinations'
import type { NotifyDestination } from '@up42-webhooks/destinations'
import { NOTIFIABLE_JOB_STATUSES, NOTIFIABLE_ORDER_STATUSES } from '@up42-webhooks/shared'
import type { DestinationFilter, RoutedDestination } from './delivery-routing.ts'
import {
  DEFAULT_DESTINATION_CONCURRENCY,
  DEFAULT_RETRY_MAX_AGE_MS,
  DEFAULT_RETRY_SCHEDULE_MS,
} from './dispatcher.ts'
import { ConfigError } from './errors.ts'
import { DEFAULT_DELIVERY_TIMEOUT_MS, FORWARD_MODES, parseForwardTarget } from './forward-sender.ts'
import type { ForwardMode, ForwardTarget } from './forward-sender.ts'

/** A notification destination as configured: where, which webhooks, and its digest window. */
export interface NotifyConfigured extends RoutedDestination {
  kind: 'notify'
  /** Safe to show. */
  display: string
  destination: NotifyDestination
  digestWindowMs: number
  concurrency: number
}

/** A `--forward-to` destination as configured. */
export interface ForwardConfigured extends RoutedDestination {
  kind: 'forward'
  display: string
  target: ForwardTarget
  mode: ForwardMode
  concurrency: number
}

export type ConfiguredDestination = NotifyConfigured | ForwardConfigured

export interface DestinationsConfig {
  destinations: ConfiguredDestination[]
  retryScheduleMs: number[]
  retryMaxAgeMs: number
  /** Per attempt, answer included. */
  timeoutMs: number
  /** RECEIVER_PUBLIC_URL without a trailing slash: links in messages. */
  publicUrl: string | null
}

/** What the command line gives (repeatable flags as arrays). */
export interface DestinationFlags {
  notify?: string[]
  'forward-to'?: string[]
  'forward-mode'?: string
  config?: string
}

type Env = Record<string, string | undefined>

/** The statuses notified by default: the shared package's lists for jobs and orders. */
export const DEFAULT_NOTIFY_STATUSES: readonly string[] = [
  ...new Set<string>([...NOTIFIABLE_JOB_STATUSES, ...NOTIFIABLE_ORDER_STATUSES]),
]
const NOTIFY_EVENTS = ['job.status', 'order.status']
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const DURATION_FORMS = 'durations like "200ms", "10s", "2m", "1h" (a bare number is seconds)'

const invalid = (key: string, message: string, cause?: unknown): ConfigError =>
  new ConfigError(key, 'INVALID', message, cause === undefined ? undefined : { cause })

function duration(key: string, text: string, label = key): number {
  const ms = parseDuration(text)
  if (ms === undefined || ms <= 0)
    throw invalid(key, `${label} must be one of ${DURATION_FORMS}, above zero`)
  return ms
}

/** RECEIVER_RETRY_SCHEDULE: `10s,30s,2m` (comma or space separated); the last step repeats. */
export function parseRetrySchedule(
  text: string | undefined,
  key = 'RECEIVER_RETRY_SCHEDULE'
): number[] {
  const items = parseList(text)
  if (items.length === 0) return [...DEFAULT_RETRY_SCHEDULE_MS]
  return items.map((item) => {
    const ms = parseDuration(item)
    if (ms === undefined || ms <= 0) {
      throw invalid(key, `${key} must be a list of ${DURATION_FORMS}, e.g. "200ms,1s,5s"`)
    }
    return ms
  })
}

/**
 * The destinations of the receiver: `RECEIVER_NOTIFY` / `--notify`, `RECEIVER_FORWARD_TO` /
 * `--forward-to` (with `--forward-mode` / `RECEIVER_FORWARD_MODE`), the `RECEIVER_CONFIG` /
 * `--config` JSON file, the notification filter variables and the retry settings.
 *
 * @throws {ConfigError} naming the variable or flag and the accepted forms; never a URL's secret parts
 */
export function readDestinationsConfig(
  env: Env,
  flags: DestinationFlags = {},
  options: { secret?: string | null; readFile?: (path: string) => string } = {}
): DestinationsConfig {
  const readFile = options.readFile ?? ((file: string) => readFileSync(file, 'utf8'))
  const statuses = readNotifyStatuses(env)
  const liveOnly = readLiveOnly(env)
  const defaultNotifyFilter: DestinationFilter = {
    events: NOTIFY_EVENTS,
    statuses,
    ...(liveOnly ? { liveMode: true } : {}),
  }
  const modeKey = flags['forward-mode'] === undefined ? 'RECEIVER_FORWARD_MODE' : '--forward-mode'
  const defaultMode = readMode(modeKey, flags['forward-mode'] ?? env.RECEIVER_FORWARD_MODE)
  const secret = options.secret ?? null

  const destinations: ConfiguredDestination[] = []
  const names = new Map<string, string>()
  const add = (destination: ConfiguredDestination, source: string) => {
    const earlier = names.get(destination.name)
    if (earlier !== undefined) {
      throw invalid(
        source,
        `${source}: two destinations are named "${destination.name}" (also in ${earlier}); give them names in the RECEIVER_CONFIG file`
      )
    }
    if (destination.kind === 'forward' && destination.mode === 'resign' && secret === null) {
      throw new ConfigError(
        'UP42_WEBHOOK_SECRET',
        'MISSING',
        `${source}: forward mode resign needs UP42_WEBHOOK_SECRET to sign with`
      )
    }
    names.set(destination.name, source)
    destinations.push(destination)
  }
  const notifyOf = (
    destination: NotifyDestination,
    filter = defaultNotifyFilter,
    digestWindowMs = 0
  ): NotifyConfigured => ({
    name: destination.name,
    kind: 'notify',
    display: destination.display,
    destination,
    filter,
    digestWindowMs,
    concurrency: DEFAULT_DESTINATION_CONCURRENCY,
  })

  // --notify replaces RECEIVER_NOTIFY, as every flag replaces its variable
  const notifyKey = flags.notify === undefined ? 'RECEIVER_NOTIFY' : '--notify'
  for (const destination of wrap(() =>
    parseNotifyList((flags.notify ?? [env.RECEIVER_NOTIFY ?? '']).join(' '), {
      variable: notifyKey,
    })
  )) {
    add(notifyOf(destination), notifyKey)
  }

  const forwardKey = flags['forward-to'] === undefined ? 'RECEIVER_FORWARD_TO' : '--forward-to'
  const forwards = flags['forward-to'] ?? parseList(env.RECEIVER_FORWARD_TO)
  forwards.forEach((raw, i) => {
    const name = i === 0 ? 'forward' : `forward-${i + 1}`
    add(forwardOf(forwardKey, raw, i + 1, name, {}, defaultMode), forwardKey)
  })

  const configKey = flags.config === undefined ? 'RECEIVER_CONFIG' : '--config'
  const configPath = flags.config ?? (env.RECEIVER_CONFIG?.trim() || undefined)
  if (configPath !== undefined) {
    let text: string
    try {
      text = readFile(configPath)
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).message
      throw invalid(configKey, `${configKey}: cannot read ${configPath} (${code})`, error)
    }
    const file = parseConfigFile(configKey, text)
    file.notify.forEach((entry, i) => {
      const where = `${configKey} notify[${i}]`
      const destination = wrap(() =>
        parseNotifyTarget(entry.url, {
          variable: where,
          ...(entry.name === undefined ? {} : { name: entry.name }),
        })
      )
      const filter = { ...defaultNotifyFilter, ...entry.filter }
      const window =
        entry.digestWindow === undefined
          ? 0
          : duration(where, entry.digestWindow, `${where}.digestWindow`)
      add(notifyOf(destination, filter, window), where)
    })
    file.forwardTo.forEach((entry, i) => {
      const where = `${configKey} forwardTo[${i}]`
      const mode = entry.mode === undefined ? defaultMode : readMode(`${where}.mode`, entry.mode)
      const name =
        entry.name ?? (forwards.length + i === 0 ? 'forward' : `forward-${forwards.length + i + 1}`)
      add(forwardOf(where, entry.url, null, name, entry.filter, mode), where)
    })
  }

  const maxAgeText = env.RECEIVER_RETRY_MAX_AGE?.trim()
  const timeoutText = env.RECEIVER_DELIVERY_TIMEOUT?.trim()
  return {
    destinations,
    retryScheduleMs: parseRetrySchedule(env.RECEIVER_RETRY_SCHEDULE),
    retryMaxAgeMs: maxAgeText
      ? duration('RECEIVER_RETRY_MAX_AGE', maxAgeText)
      : DEFAULT_RETRY_MAX_AGE_MS,
    timeoutMs: timeoutText
      ? duration('RECEIVER_DELIVERY_TIMEOUT', timeoutText)
      : DEFAULT_DELIVERY_TIMEOUT_MS,
    publicUrl: readPublicUrl(env),
  }
}

/** Turns the destinations package's error into the receiver's (exit 2, the variable named). */
function wrap<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof DestinationConfigError) {
      const variable = (error as { variable?: string }).variable ?? 'RECEIVER_NOTIFY'
      throw invalid(variable, error.message, error)
    }
    throw error
  }
}

function forwardOf(
  key: string,
  raw: string,
  position: number | null,
  name: string,
  filter: DestinationFilter,
  mode: ForwardMode
): ForwardConfigured {
  let target: ForwardTarget
  try {
    target = parseForwardTarget(raw.trim())
  } catch (error) {
    const which = position === null ? '' : ` entry ${position}`
    // the value is not echoed: it may hold a password or a token
    throw invalid(
      key,
      `${key}${which}: ${(error as Error).message}; accepted: an http:// or https:// URL of your app, e.g. http://localhost:3000/webhooks`,
      error
    )
  }
  return {
    name,
    kind: 'forward',
    display: target.display,
    target,
    mode,
    filter,
    concurrency: DEFAULT_DESTINATION_CONCURRENCY,
  }
}

function readMode(key: string, value: string | undefined): ForwardMode {
  const mode = (value ?? '').trim().toLowerCase() || 'raw'
  if (!(FORWARD_MODES as readonly string[]).includes(mode)) {
    throw invalid(key, `${key} must be raw or resign`)
  }
  return mode as ForwardMode
}

function readNotifyStatuses(env: Env): string[] {
  const items = parseList(env.RECEIVER_NOTIFY_STATUSES)
  if (items.length === 0) return [...DEFAULT_NOTIFY_STATUSES]
  for (const item of items) {
    if (!/^[A-Za-z_]{1,64}$/.test(item)) {
      throw invalid(
        'RECEIVER_NOTIFY_STATUSES',
        `RECEIVER_NOTIFY_STATUSES must be status names separated by commas, e.g. ${DEFAULT_NOTIFY_STATUSES.join(',')}`
      )
    }
  }
  return items.map((s) => s.toUpperCase())
}

function readLiveOnly(env: Env): boolean {
  const value = (env.RECEIVER_NOTIFY_LIVE_ONLY ?? '').trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  if (['', '0', 'false', 'no', 'off'].includes(value)) return false
  throw invalid(
    'RECEIVER_NOTIFY_LIVE_ONLY',
    'RECEIVER_NOTIFY_LIVE_ONLY must be 1 or 0 (or true/false)'
  )
}

function readPublicUrl(env: Env): string | null {
  const value = env.RECEIVER_PUBLIC_URL?.trim()
  if (!value) return null
  const url = URL.canParse(value) ? new URL(value) : null
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(
      'RECEIVER_PUBLIC_URL',
      'RECEIVER_PUBLIC_URL must be an http:// or https:// URL, e.g. https://receiver.example.com'
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(
      'RECEIVER_PUBLIC_URL',
      'RECEIVER_PUBLIC_URL must not hold a user or password (it goes into messages)'
    )
  }
  return url.href.replace(/\/+$/, '')
}

interface FileEntry {
  name?: string
  url: string
  filter: DestinationFilter
  digestWindow?: string
  mode?: string
}

const FILE_FORM = `{"notify": [{"name": "phone", "url": "ntfy+https://ntfy.sh/<topic>", "filter": {"events": ["job.status"], "statuses": ["FAILED"], "liveMode": true, "jobIds": [], "orderIds": []}, "digestWindow": "30s"}], "forwardTo": [{"name": "app", "url": "http://localhost:3000/webhooks", "mode": "raw", "filter": {}}]}`

/** The config file: `{"notify": [...], "forwardTo": [...]}`; unknown keys are mistakes. */
export function parseConfigFile(
  key: string,
  text: string
): { notify: FileEntry[]; forwardTo: FileEntry[] } {
  const bad = (what: string) => invalid(key, `${key}: ${what}. Expected JSON like ${FILE_FORM}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw bad('not JSON')
  }
  if (!isObject(parsed)) throw bad('not a JSON object')
  for (const k of Object.keys(parsed))
    if (k !== 'notify' && k !== 'forwardTo') throw bad(`unknown key "${k}"`)
  const list = (field: 'notify' | 'forwardTo'): FileEntry[] => {
    const value = parsed[field]
    if (value === undefined) return []
    if (!Array.isArray(value)) throw bad(`${field} must be an array`)
    return value.map((entry: unknown, i) => {
      const at = `${field}[${i}]`
      if (!isObject(entry)) throw bad(`${at} must be an object`)
      const allowed =
        field === 'notify'
          ? ['name', 'url', 'filter', 'digestWindow']
          : ['name', 'url', 'filter', 'mode']
      for (const k of Object.keys(entry))
        if (!allowed.includes(k)) throw bad(`${at}: unknown key "${k}"`)
      if (typeof entry.url !== 'string' || entry.url.trim() === '')
        throw bad(`${at}.url must be a string`)
      if (entry.name !== undefined && (typeof entry.name !== 'string' || !NAME.test(entry.name))) {
        throw bad(`${at}.name must be 1-64 letters, digits, ".", "_" or "-"`)
      }
      for (const k of ['digestWindow', 'mode'] as const) {
        if (entry[k] !== undefined && typeof entry[k] !== 'string')
          throw bad(`${at}.${k} must be a string`)
      }
      return {
        url: entry.url,
        filter: readFilter(entry.filter, `${at}.filter`, bad),
        ...(entry.name === undefined ? {} : { name: entry.name as string }),
        ...(entry.digestWindow === undefined ? {} : { digestWindow: entry.digestWindow as string }),
        ...(entry.mode === undefined ? {} : { mode: entry.mode as string }),
      }
    })
  }
  return { notify: list('notify'), forwardTo: list('forwardTo') }
}

function readFilter(
  value: unknown,
  at: string,
  bad: (what: string) => ConfigError
): DestinationFilter {
  if (value === undefined) return {}
  if (!isObject(value)) throw bad(`${at} must be an object`)
  const filter: DestinationFilter = {}
  for (const [k, v] of Object.entries(value)) {
    if (k === 'liveMode') {
      if (typeof v !== 'boolean') throw bad(`${at}.liveMode must be true or false`)
      filter.liveMode = v
    } else if (k === 'events' || k === 'statuses' || k === 'jobIds' || k === 'orderIds') {
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
        throw bad(`${at}.${k} must be an array of strings`)
      filter[k] = v as string[]
    } else throw bad(`${at}: unknown key "${k}"`)
  }
  return filter
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
