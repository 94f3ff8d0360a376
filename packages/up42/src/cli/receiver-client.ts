import { encodeBasicAuth, splitUrlCredentials } from '@up42-webhooks/common'
import type { FetchLike } from '../client/index.ts'

export const DEFAULT_RECEIVER_URL = 'http://127.0.0.1:9888'
const REQUEST_TIMEOUT_MS = 5000
/** The receiver's maximum page size; more test events than this never arrive at once. */
const PAGE_SIZE = 100

/** A webhook as the local receiver lists it (`GET /api/webhooks`, newest first). */
export interface ReceivedWebhook {
  id: number
  receivedAt: string
  event: string | null
  liveMode: boolean | null
  status: string | null
  messageId: string | null
  verdict: string
}

export type ReceiverUnavailableCode = 'UNREACHABLE' | 'UNAUTHORIZED' | 'BAD_RESPONSE'

/** The receiver could not be asked; `point` reports this without failing the update. */
export class ReceiverUnavailableError extends Error {
  override name = 'ReceiverUnavailableError'
  readonly code: ReceiverUnavailableCode

  constructor(message: string, options: { code: ReceiverUnavailableCode; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.code = options.code
  }
}

export interface ReceiverClient {
  readonly url: string
  /** Id of the newest stored webhook, 0 when there is none. */
  latestId(): Promise<number>
  /** Webhooks stored after `id`, oldest first. */
  receivedAfter(id: number): Promise<ReceivedWebhook[]>
}

export function createReceiverClient(options: {
  url: string
  username?: string | undefined
  password?: string | undefined
  fetch: FetchLike
}): ReceiverClient {
  // fetch refuses URLs with credentials, and messages must not show them: move them to a header.
  const parsed = splitUrlCredentials(options.url)
  const username = parsed.username ?? options.username
  const password = parsed.password ?? options.password
  const base = parsed.url.href.replace(/\/+$/, '')
  const headers: Record<string, string> = { accept: 'application/json' }
  if (username !== undefined && password !== undefined) {
    // UTF-8, as the receiver's basic auth decodes it: btoa threw on `€` and sent Latin-1 for `ä`.
    headers.authorization = encodeBasicAuth(username, password)
  }

  async function listNewest(limit: number): Promise<ReceivedWebhook[]> {
    let response: Response
    try {
      response = await options.fetch(`${base}/api/webhooks?limit=${limit}`, {
        headers,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
    } catch (cause) {
      const code = errorCode(cause)
      throw new ReceiverUnavailableError(
        `no receiver answers at ${base}${code ? ` (${code})` : ''}`,
        { code: 'UNREACHABLE', cause }
      )
    }
    if (response.status === 401) {
      await response.body?.cancel()
      throw new ReceiverUnavailableError(
        `the receiver at ${base} needs basic auth: set RECEIVER_USER and RECEIVER_PASSWORD`,
        { code: 'UNAUTHORIZED' }
      )
    }
    const body: unknown = response.ok ? await response.json().catch(() => undefined) : undefined
    if (!response.ok) await response.body?.cancel()
    const items = (body as { items?: unknown } | undefined)?.items
    if (!Array.isArray(items)) {
      throw new ReceiverUnavailableError(
        `${base} answered ${response.status} to GET /api/webhooks; is it the up42-webhooks receiver?`,
        { code: 'BAD_RESPONSE' }
      )
    }
    return items.filter(isReceivedWebhook)
  }

  return {
    url: base,
    async latestId() {
      return (await listNewest(1))[0]?.id ?? 0
    },
    async receivedAfter(id) {
      return (await listNewest(PAGE_SIZE)).filter((item) => item.id > id).reverse()
    },
  }
}

function isReceivedWebhook(value: unknown): value is ReceivedWebhook {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'number' &&
    typeof (value as { verdict?: unknown }).verdict === 'string'
  )
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out'
  const cause = error instanceof Error ? error.cause : undefined
  return cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string'
    ? cause.code
    : undefined
}
