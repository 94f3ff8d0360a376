import { Up42AuthError } from './errors.ts'
import { isRecord } from './read-envelope.ts'
import type { Up42Auth } from './types.ts'

/** Tokens are renewed this long before `expires_in` runs out, as UP42's SDK does. */
export const TOKEN_REFRESH_MARGIN_MS = 30_000

export interface TokenProvider {
  /** A token that is valid for at least the refresh margin. */
  token(): Promise<string>
  /** A fresh token, after UP42 rejected the current one. */
  renew(): Promise<string>
  workspaceId(): Promise<string>
  /** Values that must never appear in messages (password, tokens). */
  sensitiveValues(): string[]
}

type Send = (url: string, init: RequestInit & { body?: string }) => Promise<Response>

export function createTokenProvider(
  auth: Up42Auth,
  deps: { authUrl: string; send: Send; now: () => number }
): TokenProvider {
  if ('token' in auth) return createFixedTokenProvider(auth)
  return createPasswordTokenProvider(auth, deps)
}

function createFixedTokenProvider(auth: { token: string; workspaceId: string }): TokenProvider {
  return {
    token: async () => auth.token,
    renew: async () => {
      throw new Up42AuthError(
        'UP42 rejected the access token, and a fixed token cannot be renewed',
        {
          code: 'TOKEN_REJECTED',
          status: 401,
        }
      )
    },
    workspaceId: async () => auth.workspaceId,
    sensitiveValues: () => [auth.token],
  }
}

function createPasswordTokenProvider(
  auth: { username: string; password: string },
  deps: { authUrl: string; send: Send; now: () => number }
): TokenProvider {
  const realmUrl = `${deps.authUrl}/realms/public/protocol/openid-connect`
  let current: { accessToken: string; expiresAt: number } | undefined
  let pendingToken: Promise<string> | undefined
  let workspaceId: string | undefined
  let pendingWorkspace: Promise<string> | undefined
  const issuedTokens: string[] = []

  function fetchToken(): Promise<string> {
    // Concurrent callers share one login instead of racing several.
    pendingToken ??= login().finally(() => {
      pendingToken = undefined
    })
    return pendingToken
  }

  async function login(): Promise<string> {
    const requestedAt = deps.now()
    const response = await deps.send(`${realmUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: auth.username,
        password: auth.password,
        client_id: 'up42-sdk',
        scope: 'openid',
      }).toString(),
    })
    const reply = await readJsonObject(response)
    if (!response.ok) {
      const rejected = response.status === 401 || reply?.error === 'invalid_grant'
      const detail =
        typeof reply?.error_description === 'string' ? `: ${reply.error_description}` : ''
      throw new Up42AuthError(
        rejected
          ? `UP42 rejected the username or password${detail}`
          : `UP42's token endpoint answered ${response.status}${detail}`,
        { code: rejected ? 'INVALID_CREDENTIALS' : 'AUTH_FAILED', status: response.status }
      )
    }
    const accessToken = reply?.access_token
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new Up42AuthError("UP42's token endpoint answered without an access_token", {
        code: 'INVALID_AUTH_RESPONSE',
        status: response.status,
      })
    }
    const expiresIn = reply?.expires_in
    // Measured from the request start so a slow reply cannot make us overestimate the lifetime.
    const expiresAt =
      typeof expiresIn === 'number' ? requestedAt + expiresIn * 1000 : Number.POSITIVE_INFINITY
    current = { accessToken, expiresAt }
    issuedTokens.push(accessToken)
    return accessToken
  }

  async function token(): Promise<string> {
    if (current && deps.now() < current.expiresAt - TOKEN_REFRESH_MARGIN_MS) {
      return current.accessToken
    }
    return fetchToken()
  }

  async function fetchWorkspaceId(): Promise<string> {
    let response = await requestUserinfo(await token())
    if (response.status === 401) {
      await response.body?.cancel()
      response = await requestUserinfo(await fetchToken())
    }
    const reply = await readJsonObject(response)
    if (!response.ok) {
      throw new Up42AuthError(`UP42's userinfo endpoint answered ${response.status}`, {
        code: response.status === 401 ? 'TOKEN_REJECTED' : 'AUTH_FAILED',
        status: response.status,
      })
    }
    if (typeof reply?.sub !== 'string' || reply.sub === '') {
      throw new Up42AuthError("UP42's userinfo has no `sub` (workspace id)", {
        code: 'INVALID_AUTH_RESPONSE',
        status: response.status,
      })
    }
    workspaceId = reply.sub
    return workspaceId
  }

  function requestUserinfo(accessToken: string): Promise<Response> {
    return deps.send(`${realmUrl}/userinfo`, {
      method: 'GET',
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    })
  }

  return {
    token,
    renew: fetchToken,
    workspaceId: async () => {
      if (workspaceId !== undefined) return workspaceId
      pendingWorkspace ??= fetchWorkspaceId().finally(() => {
        pendingWorkspace = undefined
      })
      return pendingWorkspace
    },
    sensitiveValues: () => [auth.password, ...issuedTokens],
  }
}

async function readJsonObject(response: Response): Promise<Record<string, unknown> | undefined> {
  const text = await response.text()
  try {
    const parsed: unknown = JSON.parse(text)
    return isRecord(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}
