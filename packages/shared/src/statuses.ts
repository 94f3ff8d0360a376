/** Job statuses worth a notification: the job reached an end state. */
export const NOTIFIABLE_JOB_STATUSES = ['ERROR', 'FAILED', 'CANCELLED', 'SUCCEEDED'] as const

/**
 * Order statuses worth a notification. `FAILED_PERMANENTLY` has an underscore, as UP42 sends it:
 * the original snippet's `"FAILED PERMANENTLY"` silently dropped permanently failed orders.
 */
export const NOTIFIABLE_ORDER_STATUSES = ['FULFILLED', 'FAILED', 'FAILED_PERMANENTLY'] as const

/** Every status after which a job or order changes no more (for timelines). */
export const TERMINAL_STATUSES = [
  'ERROR',
  'FAILED',
  'CANCELLED',
  'SUCCEEDED',
  'FULFILLED',
  'FAILED_PERMANENTLY',
] as const

export type NotifiableJobStatus = (typeof NOTIFIABLE_JOB_STATUSES)[number]
export type NotifiableOrderStatus = (typeof NOTIFIABLE_ORDER_STATUSES)[number]
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number]

/**
 * Parses an env-style status list: `'A, b ,C'` or `'A b C'` → `['A', 'B', 'C']` (separated by
 * commas and/or white space as every list variable of this repo, uppercased, empties and
 * duplicates dropped). `undefined` gives `[]`.
 */
export function parseStatusList(list: string | undefined): string[] {
  if (typeof list !== 'string') return []
  const statuses = list
    .split(/[\s,]+/)
    .map((status) => status.toUpperCase())
    .filter((status) => status !== '')
  return [...new Set(statuses)]
}
