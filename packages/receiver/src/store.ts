/**
 * The storage contract of the receiver. SQLite implements it today (`sqlite-store.ts`); a
 * PostgreSQL implementation is planned, so every method is asynchronous.
 */

import type { WebhookFields } from './extract-fields.ts'

/**
 * Signature verdict stored with each webhook: `verified` (signature and a signed body digest
 * hold), `verified-headers-only` (the signature holds but covers no body digest, so the body is
 * not authenticated), `invalid:<WebhookVerificationErrorCode>`, `unsigned` (no signature headers
 * at all) or `unchecked` (no secret configured).
 */
export type Verdict = string

/**
 * What `insert` persists: a record the intake (`intake.ts`) has checked and derived. A store
 * keeps these values as given and decides nothing about them.
 */
export interface WebhookInput {
  /** The raw body bytes exactly as received (UTF-8 JSON, checked by the intake). */
  body: Uint8Array
  /** The body as one line of compact JSON, or null when the body already is that line. */
  compactBody: string | null
  /** Lower-case request headers, credentials removed. */
  headers: Record<string, string>
  remoteAddress: string | null
  /** Milliseconds since the epoch. */
  receivedAt: number
  verdict: Verdict
  /** The `Idempotency-Key` header, kept with the record. */
  idempotencyKey: string | null
  /** A second insert with the same key counts one more delivery; null never deduplicates. */
  dedupKey: string | null
  /** The envelope fields, indexed for filters and timelines. */
  fields: WebhookFields
  /**
   * The outbox: deliveries this webhook needs (destinations whose filter matched), written in
   * the same transaction as the webhook, so an acknowledged webhook never loses one. A duplicate
   * (an already stored `dedupKey`) creates none.
   */
  deliveries?: readonly DeliveryInput[]
}

/** A stored webhook without its body and headers (lists, live events). */
export interface WebhookSummary {
  id: number
  /** ISO 8601 */
  receivedAt: string
  event: string | null
  liveMode: boolean | null
  status: string | null
  messageId: string | null
  jobId: string | null
  orderId: string | null
  deliveryCount: number
  verdict: Verdict
  /** Body size in bytes. */
  size: number
}

/** A summary with the envelope's own `timestamp` (when UP42 says it sent it), for timelines. */
export interface WebhookArrival extends WebhookSummary {
  timestamp: string | null
}

/** The full stored webhook. */
export interface WebhookRecord extends WebhookSummary {
  headers: Record<string, string>
  /** The body decoded as UTF-8 (it was validated as UTF-8 JSON on the way in). */
  body: string
  /** The exact body bytes, base64. */
  bodyBase64: string
  remoteAddress: string | null
  idempotencyKey: string | null
}

export interface InsertResult {
  id: number
  /** True when the messageId (or Idempotency-Key) was already stored: nothing new was written. */
  duplicate: boolean
  deliveryCount: number
  webhook: WebhookSummary
}

export interface WebhookFilter {
  event?: string
  status?: string
  liveMode?: boolean
  /** Full-text search over the body (every word must match, as a prefix). */
  q?: string
  jobId?: string
  orderId?: string
  /** Matches either the job id or the order id (timeline of one job or order). */
  jobOrOrderId?: string
}

export interface IterateOptions extends WebhookFilter {
  /** Only webhooks with an id greater than this. */
  since?: number
  /** At most this many webhooks. */
  limit?: number
}

/** The largest page `list` returns; a larger `limit` is capped to it. */
export const MAX_PAGE_SIZE = 500

export interface PageRequest {
  /** `nextCursor` of the previous page. */
  cursor?: string | null
  /** Page size, 1..MAX_PAGE_SIZE (default 50). */
  limit?: number
}

export interface Page {
  /** Newest first. */
  items: WebhookSummary[]
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null
}

export interface WebhookStats {
  total: number
  /** Webhooks without an `event` field are counted under `(none)`. */
  byEvent: Record<string, number>
  /** Webhooks without a `body.status` are counted under `(none)`. */
  byStatus: Record<string, number>
}

export interface ReplayAttemptInput {
  /** Milliseconds since the epoch; defaults to now. */
  at?: number
  url: string
  /** How the replay was sent, e.g. `raw` or `resigned`. */
  mode: string
  /** HTTP status of the answer; null when no answer came. */
  status: number | null
  latencyMs: number
  error: string | null
  responseExcerpt: string | null
}

export interface ReplayAttempt {
  id: number
  webhookId: number
  /** ISO 8601 */
  at: string
  url: string
  mode: string
  status: number | null
  latencyMs: number
  error: string | null
  responseExcerpt: string | null
}

/** A notification to a person, or the webhook handed to the user's own app. */
export type DeliveryKind = 'notify' | 'forward'

/** `pending` until sent (or retried by hand), then `delivered`, or `failed` (given up, kept). */
export type DeliveryState = 'pending' | 'delivered' | 'failed'

export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'failed']

/** One delivery a newly stored webhook needs. */
export interface DeliveryInput {
  /** The destination's configured name, unique within one receiver's configuration. */
  destination: string
  kind: DeliveryKind
  /** Milliseconds since the epoch before which it is not due (a digest window); default: now. */
  notBefore?: number
}

/** A delivery in the outbox. Times are ISO 8601. */
export interface Delivery {
  id: number
  webhookId: number
  destination: string
  kind: DeliveryKind
  state: DeliveryState
  /** Attempts made so far. */
  attempts: number
  createdAt: string
  /** When the next attempt is due; null unless pending. */
  nextAttemptAt: string | null
  lastAttemptAt: string | null
  /** HTTP status of the last answer; null when none came (or for a command). */
  lastStatus: number | null
  lastError: string | null
  /** A short excerpt of the last answer (secrets removed by the sender). */
  lastResponseExcerpt: string | null
  deliveredAt: string | null
}

export interface DeliveryFilter {
  webhookId?: number
  state?: DeliveryState
  destination?: string
}

export interface DeliveryPage {
  /** Newest first. */
  items: Delivery[]
  nextCursor: string | null
}

export interface DeliveryClaim {
  /** Who claims: one id per receiver process. Another owner's lease holds until it expires. */
  owner: string
  /** How long the claim holds; a delivery whose owner died is due again after it. */
  leaseMs: number
  /** At most this many deliveries, oldest due first. */
  limit: number
  /** Milliseconds since the epoch; defaults to now. */
  now?: number
  /** Only deliveries to these destinations (the ones this process is configured with). */
  destinations?: readonly string[]
}

export interface DeliveryAttemptResult {
  /** The owner that claimed it: a result from an owner whose lease was taken over is dropped. */
  owner: string
  /** Milliseconds since the epoch; defaults to now. */
  at?: number
  status: number | null
  error: string | null
  responseExcerpt: string | null
  latencyMs: number
  /** `retry` makes it due again at `nextAttemptAt`; `failed` gives up (kept, retryable by hand). */
  outcome: 'delivered' | 'retry' | 'failed'
  /** Milliseconds since the epoch; required for `retry`. */
  nextAttemptAt?: number
}

/** Storage behind the receiver, outbox included. Writes resolve only once they are durable. */
export interface WebhookStore extends OutboxStore {
  /**
   * Stores a webhook, or counts one more delivery of an already stored `dedupKey`. Rejects with
   * `StoreError` when the database fails.
   */
  insert(input: WebhookInput): Promise<InsertResult>
  get(id: number): Promise<WebhookRecord | null>
  /** Newest first, cursor pagination. */
  list(filter?: WebhookFilter, page?: PageRequest): Promise<Page>
  /**
   * Oldest first, summaries only (no body or headers are read): at most `limit` webhooks
   * (1..MAX_PAGE_SIZE, default 50) matching the filter, with an id greater than `since`.
   */
  listArrivals(options?: IterateOptions): Promise<WebhookArrival[]>
  /** Oldest first, full records, constant memory whatever the count. */
  iterate(options?: IterateOptions): AsyncIterable<WebhookRecord>
  /**
   * Oldest first, in chunks: each webhook's `compactBody`, or its body as text when that is
   * null (no newline added).
   */
  iterateCompact(options?: IterateOptions): AsyncIterable<string[]>
  stats(): Promise<WebhookStats>
  /**
   * Resolves once every webhook acknowledged before the call is found by `q`. A store that
   * indexes for search in the background (SQLite: about a second behind the acknowledgement)
   * catches up here; one that indexes in the write transaction need not implement it. Tests and
   * benchmarks call it before a search; the API does not (searches may lag by about a second).
   */
  whenSearchable?(): Promise<void>
  /** True if it existed. Its replay attempts and deliveries go with it. */
  delete(id: number): Promise<boolean>
  /** Deletes every webhook; ids are still never reused. Resolves with how many were deleted. */
  clear(): Promise<number>
  /** Null when the webhook does not exist (any more). */
  addReplayAttempt(webhookId: number, attempt: ReplayAttemptInput): Promise<ReplayAttempt | null>
  /** Oldest first. */
  listReplayAttempts(webhookId: number): Promise<ReplayAttempt[]>
  /** Waits for queued writes, then closes. Later calls reject with `StoreError` `CLOSED`. */
  close(): Promise<void>
  /**
   * For a store several receiver processes share (PostgreSQL): calls `listener` with the webhooks
   * any of them commits from now on, in id order, none skipped and none twice (the first call may
   * also bring some committed a little earlier). Returns the function that unsubscribes. A store
   * without it has one process, whose routes announce what they store.
   */
  subscribe?(listener: (webhooks: readonly WebhookSummary[]) => void): () => void
}

/**
 * The outbox behind destinations (notifications and `--forward-to`): what a store adds so a
 * dispatcher can send each delivery of `WebhookInput.deliveries` once, across crashes and
 * across several receiver processes on one database. `WebhookStore` extends it.
 */
export interface OutboxStore {
  /**
   * Leases up to `limit` due pending deliveries to `owner` (due: `nextAttemptAt` reached and no
   * other owner's lease unexpired). Two owners never hold one delivery at once (PostgreSQL:
   * `FOR UPDATE SKIP LOCKED`).
   */
  claimDeliveries(claim: DeliveryClaim): Promise<Delivery[]>
  /**
   * Records one attempt of a claimed delivery and releases the lease. Null when the delivery is
   * gone or its lease now belongs to another owner (nothing is written then).
   */
  completeDeliveryAttempt(id: number, result: DeliveryAttemptResult): Promise<Delivery | null>
  getDelivery(id: number): Promise<Delivery | null>
  /** Newest first, cursor pagination (as `list`). */
  listDeliveries(filter?: DeliveryFilter, page?: PageRequest): Promise<DeliveryPage>
  /** Makes a delivery pending and due at once (`now`, default now); null when it does not exist. */
  retryDelivery(id: number, now?: number): Promise<Delivery | null>
  /** How many deliveries are in each state. */
  deliveryCounts(): Promise<Record<DeliveryState, number>>
}
