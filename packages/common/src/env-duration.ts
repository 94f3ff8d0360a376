import { ConfigError } from './config-error.ts'

/** The accepted forms, as error messages and docs name them. */
export const DURATION_SPELLINGS =
  'a duration like "200ms", "20s", "5m" or "1h" (a bare number is seconds)'

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Milliseconds from `200ms`, `1s`, `1.5s`, `2m`, `1h` (unit in any case); a bare number means
 * seconds. `undefined` for anything else, negative numbers included.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text.trim())
  if (!match) return undefined
  return Math.round(Number(match[1]) * UNITS_MS[(match[2] ?? 's').toLowerCase()]!)
}

/**
 * A duration environment variable in milliseconds: unset or empty gives `fallback`; unreadable
 * or below `minMs` (default 1, so `0s` is refused) throws `ConfigError` naming the variable.
 */
export function readDurationEnv(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  options: { fallbackMs: number; minMs?: number }
): number {
  const text = env[variable]
  if (text === undefined || text.trim() === '') return options.fallbackMs
  const ms = parseDuration(text)
  const minMs = options.minMs ?? 1
  if (ms === undefined || ms < minMs) {
    throw new ConfigError(
      `${variable} must be ${DURATION_SPELLINGS}${
        minMs === 1 ? ', above zero' : ` of at least ${minMs} ms`
      }`,
      { code: 'INVALID', variable }
    )
  }
  return ms
}
