import { DEFAULT_API_URL, DEFAULT_AUTH_URL, type Up42Auth } from '../client/index.ts'
import { ConfigError } from './errors.ts'

export type Env = Record<string, string | undefined>

export interface Up42Config {
  auth: Up42Auth
  apiUrl: string
  authUrl: string
}

const CREDENTIALS_HINT =
  'set UP42_USERNAME and UP42_PASSWORD (account login), or UP42_TOKEN and UP42_WORKSPACE_ID'

/** Reads UP42 credentials and base URLs from the environment. */
export function readUp42Config(env: Env): Up42Config {
  return {
    auth: readAuth(env),
    apiUrl: readUrl(env, 'UP42_API_URL', DEFAULT_API_URL),
    authUrl: readUrl(env, 'UP42_AUTH_URL', DEFAULT_AUTH_URL),
  }
}

function readAuth(env: Env): Up42Auth {
  const token = nonEmpty(env.UP42_TOKEN)
  if (token !== undefined) {
    const workspaceId = nonEmpty(env.UP42_WORKSPACE_ID)
    if (workspaceId === undefined) {
      throw new ConfigError('UP42_TOKEN is set but UP42_WORKSPACE_ID is not; a token needs both', {
        code: 'MISSING',
        variable: 'UP42_WORKSPACE_ID',
      })
    }
    return { token, workspaceId }
  }
  const username = nonEmpty(env.UP42_USERNAME)
  const password = nonEmpty(env.UP42_PASSWORD)
  if (username === undefined || password === undefined) {
    const key = username === undefined ? 'UP42_USERNAME' : 'UP42_PASSWORD'
    throw new ConfigError(`no UP42 credentials (${key} is not set): ${CREDENTIALS_HINT}`, {
      code: 'MISSING',
      variable: key,
    })
  }
  return { username, password }
}

/** An http(s) base URL from the environment; http is allowed for local fakes and proxies. */
function readUrl(env: Env, key: string, fallback: string): string {
  const value = nonEmpty(env[key])
  if (value === undefined) return fallback
  let parsed: URL
  try {
    parsed = new URL(value.trim())
  } catch (cause) {
    throw new ConfigError(`${key} is not a valid URL`, { code: 'INVALID', variable: key, cause })
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(`${key} must be an http(s) URL`, { code: 'INVALID', variable: key })
  }
  return value.trim().replace(/\/+$/, '')
}

// Values are kept as given: a password may legitimately start or end with a space.
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
