import { parseList } from '@up42-webhooks/common'
import {
  durationSetting,
  findSetting,
  positiveDuration,
  type ConfigOverrides,
  type Env,
} from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'

/**
 * Values typed into a step's props; an empty string counts as "not set". The core's settings
 * plus the re-run ones, which only the Pipedream adapter uses (the core knows nothing of
 * re-runs).
 */
export interface ForwarderProps extends ConfigOverrides {
  rerunSchedule?: string | undefined
  maxWait?: string | undefined
}

export interface RerunConfig {
  /** Delay before re-run n+1 is `scheduleMs[n-1]`, the last entry repeating. */
  scheduleMs: number[]
  /** Give up once the summed delays would exceed this. */
  maxWaitMs: number
}

/** Short first, so a receiver back after a brief outage gets the webhook soon. */
export const DEFAULT_RERUN_SCHEDULE = '15s,1m,5m,30m'
export const DEFAULT_MAX_WAIT = '12h'

/** Where the re-run settings are looked up after their prop. */
export const RERUN_ENV_NAMES = {
  rerunSchedule: ['FORWARD_RERUN_SCHEDULE'],
  maxWait: ['FORWARD_MAX_WAIT'],
} as const

/** The step's re-run settings; throws ConfigError naming the variable, never its value. */
export function resolveRerunConfig(props: ForwarderProps, env: Env): RerunConfig {
  const schedule = findSetting(
    'rerunSchedule',
    props.rerunSchedule,
    RERUN_ENV_NAMES.rerunSchedule,
    env
  )
  const entries = parseList(schedule?.value ?? DEFAULT_RERUN_SCHEDULE)
  const scheduleMs = entries.map((entry) => positiveDuration(entry))
  if (scheduleMs.length === 0 || scheduleMs.some((ms) => ms === undefined)) {
    throw new ConfigError(
      `${schedule?.source ?? 'FORWARD_RERUN_SCHEDULE'} must be a comma-separated list of durations like "60s,5m,30m"`,
      { code: 'INVALID', variable: 'FORWARD_RERUN_SCHEDULE' }
    )
  }
  const maxWaitMs = durationSetting(
    'FORWARD_MAX_WAIT',
    findSetting('maxWait', props.maxWait, RERUN_ENV_NAMES.maxWait, env),
    DEFAULT_MAX_WAIT
  )
  return { scheduleMs: scheduleMs as number[], maxWaitMs }
}
