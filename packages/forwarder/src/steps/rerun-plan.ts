import type { RerunConfig } from './rerun-config.ts'

export type RerunPlan =
  | { giveUp: false; delayMs: number; maxReruns: number; waitedMs: number }
  | { giveUp: true; waitedMs: number }

function delayBefore(rerun: number, scheduleMs: readonly number[]): number {
  return scheduleMs[Math.min(rerun, scheduleMs.length) - 1] ?? 0
}

/** How many re-runs fit into `maxWaitMs` when they follow the schedule, last entry repeating. */
export function maxReruns(config: RerunConfig): number {
  let total = 0
  let count = 0
  for (;;) {
    const next = delayBefore(count + 1, config.scheduleMs)
    if (next <= 0 || total + next > config.maxWaitMs) return count
    total += next
    count += 1
  }
}

/**
 * Decides what run number `runs` (Pipedream's `$.context.run.runs`, 1 on the first execution)
 * does after a transient failure: wait for the next delay of the schedule, or give up because the
 * next wait would exceed the maximum. Only `runs` is needed, so the plan survives Pipedream
 * handing a re-run a fresh process.
 */
export function planRerun(runs: number, config: RerunConfig): RerunPlan {
  let waitedMs = 0
  for (let rerun = 1; rerun < runs; rerun += 1) waitedMs += delayBefore(rerun, config.scheduleMs)
  const max = maxReruns(config)
  if (runs > max) return { giveUp: true, waitedMs }
  return { giveUp: false, delayMs: delayBefore(runs, config.scheduleMs), maxReruns: max, waitedMs }
}
