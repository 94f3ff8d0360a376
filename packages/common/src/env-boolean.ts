import { ConfigError } from './config-error.ts'

/** The accepted words, as error messages and docs name them. */
export const BOOLEAN_SPELLINGS = '1/0, true/false, yes/no, on/off'

const TRUE: ReadonlySet<string> = new Set(['1', 'true', 'yes', 'on'])
const FALSE: ReadonlySet<string> = new Set(['0', 'false', 'no', 'off'])

/** `1/true/yes/on` or `0/false/no/off`, any case, spaces around ignored; otherwise `undefined`. */
export function parseBoolean(text: string): boolean | undefined {
  const value = text.trim().toLowerCase()
  if (TRUE.has(value)) return true
  if (FALSE.has(value)) return false
  return undefined
}

/**
 * A boolean environment variable: unset or empty gives `fallback`; anything but the accepted
 * words throws `ConfigError` (`INVALID`) naming the variable, so a typo never silently means
 * "off".
 */
export function readBooleanEnv(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  fallback = false
): boolean {
  const text = env[variable]
  if (text === undefined || text.trim() === '') return fallback
  const value = parseBoolean(text)
  if (value === undefined) {
    throw new ConfigError(`${variable} must be one of ${BOOLEAN_SPELLINGS}`, {
      code: 'INVALID',
      variable,
    })
  }
  return value
}
