import { describe, expect, it } from 'vitest'
import { ConfigError } from '../core/errors.ts'
import { resolveRerunConfig } from './rerun-config.ts'

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('resolveRerunConfig', () => {
  it('defaults to 15 s, 1 min, 5 min, 30 min for up to 12 h', () => {
    expect(resolveRerunConfig({}, {})).toEqual({
      scheduleMs: [15_000, 60_000, 300_000, 1_800_000],
      maxWaitMs: 43_200_000,
    })
  })

  it('reads FORWARD_RERUN_SCHEDULE and FORWARD_MAX_WAIT', () => {
    expect(
      resolveRerunConfig({}, { FORWARD_RERUN_SCHEDULE: '500ms, 2s', FORWARD_MAX_WAIT: '1m' })
    ).toEqual({
      scheduleMs: [500, 2000],
      maxWaitMs: 60_000,
    })
  })

  it('reads the schedule as any list variable: commas and/or spaces', () => {
    expect(resolveRerunConfig({ rerunSchedule: '500ms 2s,  1m' }, {}).scheduleMs).toEqual([
      500, 2000, 60_000,
    ])
  })

  it('takes a changed FORWARD_MAX_WAIT on the next call, and fails again on a bad one', () => {
    const env: Record<string, string | undefined> = {}
    env.FORWARD_MAX_WAIT = '1h'
    expect(resolveRerunConfig({}, env).maxWaitMs).toBe(3_600_000)
    env.FORWARD_MAX_WAIT = 'soon'
    expect(configError(() => resolveRerunConfig({}, env)).variable).toBe('FORWARD_MAX_WAIT')
  })

  it('refuses a zero wait', () => {
    expect(configError(() => resolveRerunConfig({ rerunSchedule: '0s' }, {})).variable).toBe(
      'FORWARD_RERUN_SCHEDULE'
    )
    expect(configError(() => resolveRerunConfig({}, { FORWARD_MAX_WAIT: '0' })).variable).toBe(
      'FORWARD_MAX_WAIT'
    )
  })

  it('rejects a schedule entry that is not a duration', () => {
    expect(configError(() => resolveRerunConfig({ rerunSchedule: '60s,later' }, {})).variable).toBe(
      'FORWARD_RERUN_SCHEDULE'
    )
  })
})
