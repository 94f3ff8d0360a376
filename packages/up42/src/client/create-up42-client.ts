import { Up42AuthError } from './errors.ts'
import { readEventTypes, readTestEventsResult, readWebhook, readWebhooks } from './read-data.ts'
import { readEnvelope } from './read-envelope.ts'
import { sendRequest, type SendDeps } from './send-request.ts'
import { createTokenProvider } from './token-provider.ts'
import type { CreateWebhookInput, Up42Client, Up42ClientOptions } from './types.ts'
import { validateWebhookInput } from './validate-webhook-input.ts'

export const DEFAULT_API_URL = 'https://api.up42.com'
export const DEFAULT_AUTH_URL = 'https://auth.up42.com'
const DEFAULT_MAX_RETRIES = 3
const DEFAULT_MAX_RETRY_WAIT_MS = 30_000
const DEFAULT_USER_AGENT = 'up42-webhooks-relay/0.1.0'

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/**
 * A typed client for UP42's webhook-management API. fetch-based, with no Node-only APIs.
 *
 * @throws {Up42ApiError} UP42 answered with an error envelope or a non-2xx status
 * @throws {Up42AuthError} logging in failed, or the token was rejected after one re-login
 * @throws {Up42NetworkError} UP42 could not be reached or answered something unreadable
 * @throws {WebhookInputError} create/update input UP42 would reject (e.g. a non-https url)
 */
export function createUp42Client(options: Up42ClientOptions): Up42Client {
  const apiUrl = trimTrailingSlash(options.apiUrl ?? DEFAULT_API_URL)
  const authUrl = trimTrailingSlash(options.authUrl ?? DEFAULT_AUTH_URL)
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT
  const deps: SendDeps = {
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    maxRetryWaitMs: options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS,
  }
  const send = (url: string, init: RequestInit & { body?: string }) => sendRequest(deps, url, init)
  const tokens = createTokenProvider(options.auth, { authUrl, send, now: deps.now })

  async function call(
    method: Method,
    path: string,
    body?: unknown,
    extraSensitive: readonly (string | null | undefined)[] = []
  ): Promise<{ data: unknown; url: string }> {
    const url = `${apiUrl}${path}`
    const request = (token: string) => ({
      method,
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'cache-control': 'no-cache',
        'user-agent': userAgent,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    let response = await send(url, request(await tokens.token()))
    if (response.status === 401) {
      // Tokens can be revoked or expire early; UP42's SDK also re-authenticates exactly once.
      await response.body?.cancel()
      response = await send(url, request(await tokens.renew()))
      if (response.status === 401) {
        await response.body?.cancel()
        throw new Up42AuthError('UP42 rejected the access token even after re-authenticating', {
          code: 'TOKEN_REJECTED',
          status: 401,
        })
      }
    }
    const sensitive = [
      ...tokens.sensitiveValues(),
      ...extraSensitive.filter((value): value is string => typeof value === 'string'),
    ]
    return { data: await readEnvelope(response, url, sensitive), url }
  }

  async function webhooksPath(id?: string, suffix = ''): Promise<string> {
    const base = `/workspaces/${encodeURIComponent(await tokens.workspaceId())}/webhooks`
    return id === undefined ? base : `${base}/${encodeURIComponent(id)}${suffix}`
  }

  async function get(id: string) {
    const { data, url } = await call('GET', await webhooksPath(id))
    return readWebhook(data, url)
  }

  async function save(method: 'POST' | 'PUT', path: string, input: Required<CreateWebhookInput>) {
    const body = {
      name: input.name,
      url: input.url,
      events: input.events,
      secret: input.secret,
      active: input.active,
    }
    const { data, url } = await call(method, path, body, [input.secret])
    return readWebhook(data, url)
  }

  return {
    workspaceId: () => tokens.workspaceId(),
    async events() {
      const { data, url } = await call('GET', '/webhooks/events')
      return readEventTypes(data, url)
    },
    async list() {
      const { data, url } = await call('GET', await webhooksPath())
      return readWebhooks(data, url)
    },
    get,
    async create(input) {
      validateWebhookInput(input)
      return save('POST', await webhooksPath(), {
        name: input.name,
        url: input.url,
        events: input.events,
        secret: input.secret ?? null,
        active: input.active ?? false,
      })
    },
    async update(id, patch) {
      validateWebhookInput(patch)
      const current = await get(id)
      return save('PUT', await webhooksPath(id), {
        name: patch.name ?? current.name,
        url: patch.url ?? current.url,
        events: patch.events ?? current.events,
        // The PUT replaces the whole object: without the current secret UP42 would drop it.
        secret: patch.secret !== undefined ? patch.secret : current.secret,
        active: patch.active ?? current.active,
      })
    },
    async delete(id) {
      await call('DELETE', await webhooksPath(id))
    },
    async test(id) {
      const { data, url } = await call('POST', await webhooksPath(id, '/tests'), {})
      return readTestEventsResult(data, url)
    },
  }
}

function trimTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '')
}
