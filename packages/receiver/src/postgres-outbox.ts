import { DELIVERY_STATES, MAX_PAGE_SIZE } from './store.ts'
import type { Delivery, DeliveryKind, DeliveryPage, DeliveryState, OutboxStore } from './store.ts'

interface DeliveryRow {
  id: number
  webhook_id: number
  destination: string
  kind: DeliveryKind
  state: DeliveryState
  attempts: number
  created_at: Date
  next_attempt_at: Date | null
  lease_owner: string | null
  lease_until: Date | null
  last_attempt_at: Date | null
  last_status: number | null
  last_error: string | null
  last_response_excerpt: string | null
  delivered_at: Date | null
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString())
const at = (ms: number) => new Date(ms).toISOString()

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    destination: row.destination,
    kind: row.kind,
    state: row.state,
    attempts: row.attempts,
    createdAt: row.created_at.toISOString(),
    nextAttemptAt: row.state === 'pending' ? iso(row.next_attempt_at) : null,
    lastAttemptAt: iso(row.last_attempt_at),
    lastStatus: row.last_status,
    lastError: row.last_error,
    lastResponseExcerpt: row.last_response_excerpt,
    deliveredAt: iso(row.delivered_at),
  }
}

type Query = <T>(action: string, text: string, params?: unknown[]) => Promise<T[]>

/**
 * The `OutboxStore` half of the PostgreSQL store. A claim is one statement: it locks the due
 * rows it takes with `FOR UPDATE SKIP LOCKED`, so receivers claiming at once each get different
 * deliveries without waiting for one another, and leases them until `now + leaseMs`; a lease
 * whose owner died expires and the delivery is due again.
 */
export function createPostgresOutbox(query: Query): OutboxStore {
  return {
    async claimDeliveries(claim) {
      const now = claim.now ?? Date.now()
      const params: unknown[] = [
        claim.owner,
        at(now + claim.leaseMs),
        at(now),
        Math.max(0, claim.limit),
      ]
      let only = ''
      if (claim.destinations !== undefined) {
        if (claim.destinations.length === 0) return []
        // one destination (the dispatcher's claims): equality, so deliveries_claim gives the
        // due order without a sort
        if (claim.destinations.length === 1) {
          params.push(claim.destinations[0])
          only = 'AND destination = $5'
        } else {
          params.push([...claim.destinations])
          only = 'AND destination = ANY($5::text[])'
        }
      }
      const rows = await query<DeliveryRow>(
        'claim deliveries',
        `WITH due AS (
           SELECT id FROM deliveries
           WHERE state = 'pending' AND next_attempt_at <= $3::timestamptz
             AND (lease_until IS NULL OR lease_until <= $3::timestamptz) ${only}
           ORDER BY next_attempt_at, id LIMIT $4::int8
           FOR UPDATE SKIP LOCKED)
         UPDATE deliveries d SET lease_owner = $1, lease_until = $2::timestamptz
         FROM due WHERE d.id = due.id RETURNING d.*`,
        params
      )
      // RETURNING gives no order: oldest due first, as promised
      return rows
        .sort((a, b) => a.next_attempt_at!.getTime() - b.next_attempt_at!.getTime() || a.id - b.id)
        .map(toDelivery)
    },

    async completeDeliveryAttempt(id, result) {
      const when = result.at ?? Date.now()
      const state: DeliveryState = result.outcome === 'retry' ? 'pending' : result.outcome
      if (result.outcome === 'retry' && result.nextAttemptAt === undefined) {
        throw new TypeError('[@up42-webhooks/receiver] a retry needs nextAttemptAt')
      }
      const [row] = await query<DeliveryRow>(
        'record the delivery attempt',
        `UPDATE deliveries SET state = $1, next_attempt_at = $2::timestamptz,
           attempts = attempts + 1, last_attempt_at = $3::timestamptz, last_status = $4::int4,
           last_error = $5, last_response_excerpt = $6,
           delivered_at = coalesce($7::timestamptz, delivered_at),
           lease_owner = NULL, lease_until = NULL
         WHERE id = $8::int8 AND lease_owner = $9 AND state = 'pending' RETURNING *`,
        [
          state,
          result.outcome === 'retry' ? at(result.nextAttemptAt!) : null,
          at(when),
          result.status,
          result.error,
          result.responseExcerpt,
          result.outcome === 'delivered' ? at(when) : null,
          id,
          result.owner,
        ]
      )
      return row === undefined ? null : toDelivery(row)
    },

    async getDelivery(id) {
      const [row] = await query<DeliveryRow>(
        'read the delivery',
        'SELECT * FROM deliveries WHERE id = $1::int8',
        [id]
      )
      return row === undefined ? null : toDelivery(row)
    },

    async listDeliveries(filter = {}, page = {}) {
      const limit = Math.min(Math.max(1, page.limit ?? 50), MAX_PAGE_SIZE)
      const clauses: string[] = []
      const params: unknown[] = []
      const add = (clause: (p: string) => string, value: unknown) => {
        params.push(value)
        clauses.push(clause(`$${params.length}`))
      }
      if (filter.webhookId !== undefined) add((p) => `webhook_id = ${p}::int8`, filter.webhookId)
      if (filter.state !== undefined) add((p) => `state = ${p}`, filter.state)
      if (filter.destination !== undefined) add((p) => `destination = ${p}`, filter.destination)
      if (page.cursor !== undefined && page.cursor !== null)
        add((p) => `id < ${p}::int8`, Number(page.cursor))
      params.push(limit + 1)
      const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`
      const rows = await query<DeliveryRow>(
        'read the deliveries',
        `SELECT * FROM deliveries ${where} ORDER BY id DESC LIMIT $${params.length}`,
        params
      )
      const items = rows.slice(0, limit).map(toDelivery)
      const nextCursor = rows.length > limit ? String(items[items.length - 1]!.id) : null
      return { items, nextCursor } satisfies DeliveryPage
    },

    async retryDelivery(id, now = Date.now()) {
      // a pending delivery keeps a lease it holds (its attempt is in flight and is not doubled);
      // a delivered or failed one is pending again, due at once
      const [row] = await query<DeliveryRow>(
        'retry the delivery',
        `UPDATE deliveries SET next_attempt_at = $1::timestamptz,
           lease_owner = CASE state WHEN 'pending' THEN lease_owner END,
           lease_until = CASE state WHEN 'pending' THEN lease_until END,
           state = 'pending'
         WHERE id = $2::int8 RETURNING *`,
        [at(now), id]
      )
      return row === undefined ? null : toDelivery(row)
    },

    async deliveryCounts() {
      const rows = await query<{ state: DeliveryState; n: number }>(
        'count the deliveries',
        'SELECT state, count(*)::int8 AS n FROM deliveries GROUP BY state'
      )
      const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<
        DeliveryState,
        number
      >
      for (const row of rows) counts[row.state] = row.n
      return counts
    },
  }
}
