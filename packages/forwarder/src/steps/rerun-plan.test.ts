import { describe, expect, it } from 'vitest'
import { maxReruns, planRerun } from './rerun-plan.ts'

const config = { scheduleMs: [60_000, 300_000, 1_800_000], maxWaitMs: 3 * 3_600_000 }

describe('planRerun', () => {
  it('walks the schedule and repeats its last delay', () => {
    expect([1, 2, 3, 4, 5].map((runs) => planRerun(runs, config))).toEqual([
      { giveUp: false, delayMs: 60_000, maxReruns: 7, waitedMs: 0 },
      { giveUp: false, delayMs: 300_000, maxReruns: 7, waitedMs: 60_000 },
      { giveUp: false, delayMs: 1_800_000, maxReruns: 7, waitedMs: 360_000 },
      { giveUp: false, delayMs: 1_800_000, maxReruns: 7, waitedMs: 2_160_000 },
      { giveUp: false, delayMs: 1_800_000, maxReruns: 7, waitedMs: 3_960_000 },
    ])
  })

  it('gives up once the next wait would pass the maximum', () => {
    // 1 + 5 + 30 × 5 = 156 min ≤ 180; one more 30 min wait would make 186.
    expect(maxReruns(config)).toBe(7)
    expect(planRerun(7, config)).toMatchObject({ giveUp: false })
    expect(planRerun(8, config)).toEqual({ giveUp: true, waitedMs: 9_360_000 })
  })

  it('gives up at once when even the first delay is longer than the maximum', () => {
    expect(planRerun(1, { scheduleMs: [60_000], maxWaitMs: 1000 })).toEqual({
      giveUp: true,
      waitedMs: 0,
    })
  })
})
