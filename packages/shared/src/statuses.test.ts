import { describe, expect, it } from 'vitest'
import {
  NOTIFIABLE_JOB_STATUSES,
  NOTIFIABLE_ORDER_STATUSES,
  TERMINAL_STATUSES,
  parseStatusList,
} from './statuses.ts'

describe('status lists', () => {
  it('spell FAILED_PERMANENTLY with an underscore, as UP42 sends it', () => {
    expect(NOTIFIABLE_ORDER_STATUSES).toContain('FAILED_PERMANENTLY')
    expect(
      [...NOTIFIABLE_ORDER_STATUSES, ...NOTIFIABLE_JOB_STATUSES].some((s) => s.includes(' '))
    ).toBe(false)
  })

  it('TERMINAL_STATUSES is exactly the union of the job and order lists', () => {
    expect(new Set(TERMINAL_STATUSES)).toEqual(
      new Set([...NOTIFIABLE_JOB_STATUSES, ...NOTIFIABLE_ORDER_STATUSES])
    )
    expect(TERMINAL_STATUSES.length).toBe(new Set(TERMINAL_STATUSES).size)
  })
})

describe('parseStatusList', () => {
  it.each([
    ['A, b ,C', ['A', 'B', 'C']],
    ['failed_permanently,FULFILLED', ['FAILED_PERMANENTLY', 'FULFILLED']],
    [' , ,', []],
    ['', []],
    ['FAILED, failed', ['FAILED']],
    ['FAILED FULFILLED\tsucceeded', ['FAILED', 'FULFILLED', 'SUCCEEDED']],
    [undefined, []],
  ])('parses %j as %j', (input, expected) => {
    expect(parseStatusList(input)).toEqual(expected)
  })
})
