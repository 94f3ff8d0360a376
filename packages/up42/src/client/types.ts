/** An event type a webhook can subscribe to, as listed by `GET /webhooks/events`. */
export interface WebhookEventType {
  name: string
  title: string
  category: string
  description: string
  documentation: string
}

/** A webhook subscription. UP42 returns the secret in clear text; treat the object as sensitive. */
export interface Webhook {
  id: string
  name: string
  url: string
  events: string[]
  active: boolean
  secret: string | null
  createdAt: string
  updatedAt: string
}

/** Reply of `POST /workspaces/{workspaceId}/webhooks/{id}/tests`. */
export interface TestEventsResult {
  startedAt: string
  testsRun: number
  testsSucceeded: number
}

export interface CreateWebhookInput {
  name: string
  url: string
  events: string[]
  /** `null` or absent: UP42 signs nothing. */
  secret?: string | null
  /** UP42's default is `false`. */
  active?: boolean
}

/** Fields to change; everything else is taken from the webhook's current state. */
export type WebhookPatch = Partial<CreateWebhookInput>

export type Up42Auth =
  { username: string; password: string } | { token: string; workspaceId: string }

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

export interface Up42ClientOptions {
  auth: Up42Auth
  /** Default `https://api.up42.com` (`https://api.sa.up42.com` for region `sa`). */
  apiUrl?: string
  /** Default `https://auth.up42.com` (`https://auth.sa.up42.com` for region `sa`). */
  authUrl?: string
  fetch?: FetchLike
  /** Clock in milliseconds; drives token refresh and HTTP-date `Retry-After`. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** Retries after a 429 before giving up. Default 3. */
  maxRetries?: number
  /** Upper bound of a single wait after a 429, in ms. Default 30 000. */
  maxRetryWaitMs?: number
  userAgent?: string
}

export interface Up42Client {
  /** The workspace the webhooks live in (from userinfo `sub`, or the configured id). */
  workspaceId(): Promise<string>
  events(): Promise<WebhookEventType[]>
  list(): Promise<Webhook[]>
  get(id: string): Promise<Webhook>
  create(input: CreateWebhookInput): Promise<Webhook>
  /** GET, then PUT of the full object `{ name, url, events, secret, active }`, like UP42's SDK. */
  update(id: string, patch: WebhookPatch): Promise<Webhook>
  delete(id: string): Promise<void>
  /** Asks UP42 to send one test event per subscribed event type. */
  test(id: string): Promise<TestEventsResult>
}
