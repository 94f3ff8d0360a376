import { withoutCredentials } from './credential-headers.ts'
import type { WebhookInput, WebhookStore, WebhookSummary } from './store.ts'

export interface ImportLineError {
  /** 1-based line number in the uploaded file. */
  line: number
  message: string
}

export type ImportErrorCode = 'INVALID_LINES' | 'EMPTY' | 'STORE_FAILED'

/** The upload was refused as a whole; nothing was stored. */
export class ImportError extends Error {
  override name = 'ImportError'
  code: ImportErrorCode
  errors: ImportLineError[]
  /** For STORE_FAILED: what was stored before the failure (it stays stored). */
  partial: ImportResult | null
  constructor(
    message: string,
    code: ImportErrorCode,
    options: { errors?: ImportLineError[]; partial?: ImportResult; cause?: unknown } = {}
  ) {
    super(message, { cause: options.cause })
    this.code = code
    this.errors = options.errors ?? []
    this.partial = options.partial ?? null
  }
}

export interface ImportResult {
  /** Lines read (blank lines not counted). */
  total: number
  /** Stored as new webhooks. */
  imported: number
  /** Already stored (same messageId or Idempotency-Key): counted as one more delivery. */
  duplicates: number
  /** The newly stored webhooks, in file order. */
  stored: WebhookSummary[]
}

// Reported per upload; more would bury the first, most useful, errors.
const MAX_REPORTED_ERRORS = 50
const INSERT_BATCH = 256
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Parses an NDJSON export (the format of `GET /api/export`) completely before storing
 * anything: one bad line refuses the whole upload with every bad line's number.
 * @throws {ImportError} INVALID_LINES or EMPTY
 */
export function parseImport(text: string): WebhookInput[] {
  const inputs: WebhookInput[] = []
  const errors: ImportLineError[] = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').replace(/\r$/, '')
    if (line.trim() === '') continue
    try {
      inputs.push(parseLine(line))
    } catch (error) {
      errors.push({
        line: index + 1,
        message: error instanceof Error ? error.message : String(error),
      })
    }
  }
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_REPORTED_ERRORS)
    throw new ImportError(
      `${errors.length} invalid line${errors.length === 1 ? '' : 's'} (first: line ${shown[0]?.line}: ${shown[0]?.message}); nothing was imported`,
      'INVALID_LINES',
      { errors: shown }
    )
  }
  if (inputs.length === 0)
    throw new ImportError('no webhook in the upload; nothing was imported', 'EMPTY')
  return inputs
}

function parseLine(line: string): WebhookInput {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    throw new Error('not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a JSON object')
  const record = value as Record<string, unknown>

  const { bodyBase64 } = record
  if (
    typeof bodyBase64 !== 'string' ||
    bodyBase64 === '' ||
    !BASE64.test(bodyBase64) ||
    bodyBase64.length % 4 !== 0
  ) {
    throw new Error('bodyBase64 must be non-empty base64')
  }
  const body = new Uint8Array(Buffer.from(bodyBase64, 'base64'))
  try {
    JSON.parse(utf8.decode(body))
  } catch {
    throw new Error('bodyBase64 does not decode to UTF-8 JSON')
  }

  const receivedAt =
    typeof record['receivedAt'] === 'number'
      ? record['receivedAt']
      : Date.parse(String(record['receivedAt']))
  if (!Number.isFinite(receivedAt) || receivedAt < 0)
    throw new Error('receivedAt must be an ISO 8601 time')

  const headers: Record<string, string> = {}
  const rawHeaders = record['headers'] ?? {}
  if (typeof rawHeaders !== 'object' || rawHeaders === null || Array.isArray(rawHeaders)) {
    throw new Error('headers must be an object of strings')
  }
  for (const [name, headerValue] of Object.entries(rawHeaders)) {
    if (typeof headerValue !== 'string') throw new Error(`header ${name} must be a string`)
    headers[name.toLowerCase()] = headerValue
  }

  const verdict = record['verdict'] ?? 'unchecked'
  if (typeof verdict !== 'string' || verdict === '') throw new Error('verdict must be a string')
  return {
    body,
    headers: withoutCredentials(headers),
    receivedAt,
    verdict,
    remoteAddress: optionalString(record, 'remoteAddress'),
    idempotencyKey: optionalString(record, 'idempotencyKey'),
  }
}

function optionalString(record: Record<string, unknown>, key: string): string | null {
  const value = record[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new Error(`${key} must be a string or null`)
  return value
}

/**
 * Stores parsed webhooks in file order. Batches run concurrently so the store's group commit
 * can put many in one transaction; dedup by messageId applies as for live deliveries.
 */
export async function importWebhooks(
  store: WebhookStore,
  inputs: WebhookInput[]
): Promise<ImportResult> {
  const result: ImportResult = { total: inputs.length, imported: 0, duplicates: 0, stored: [] }
  for (let start = 0; start < inputs.length; start += INSERT_BATCH) {
    const batch = inputs.slice(start, start + INSERT_BATCH)
    const settled = await Promise.allSettled(batch.map((input) => store.insert(input)))
    let failure: unknown = null
    for (const outcome of settled) {
      if (outcome.status === 'rejected') failure ??= outcome.reason
      else if (outcome.value.duplicate) result.duplicates++
      else {
        result.imported++
        result.stored.push(outcome.value.webhook)
      }
    }
    if (failure !== null) {
      throw new ImportError(
        `storing failed after ${result.imported} imported and ${result.duplicates} duplicates: ${failure instanceof Error ? failure.message : String(failure)}`,
        'STORE_FAILED',
        { partial: result, cause: failure }
      )
    }
  }
  return result
}
