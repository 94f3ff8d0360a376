import type { ErrorOptions } from '@up42-webhooks/common'
import { InvalidBodyError } from './errors.ts'
import { parseWebhookBody, toWebhookInput } from './intake.ts'
import type { ArrivedWebhook } from './intake.ts'
import type { WebhookStore, WebhookSummary } from './store.ts'
import { VERDICTS } from './verdicts.ts'

export interface ImportLineError {
  /** 1-based line number in the uploaded file. */
  line: number
  message: string
}

export type ImportErrorCode = 'INVALID_LINES' | 'EMPTY' | 'TOO_LARGE' | 'STORE_FAILED'

/** The upload was refused as a whole; nothing was stored. */
export class ImportError extends Error {
  override name = 'ImportError'
  code: ImportErrorCode
  errors: ImportLineError[]
  /** For STORE_FAILED: what was stored before the failure (it stays stored). */
  partial: ImportResult | null
  constructor(
    message: string,
    options: ErrorOptions<ImportErrorCode> & {
      errors?: ImportLineError[]
      partial?: ImportResult
    }
  ) {
    super(message, { cause: options.cause })
    this.code = options.code
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

export interface ReadImportOptions {
  /** A record whose body is larger is a bad line (the app's `maxBodyBytes`). */
  maxBodyBytes: number
  /** The whole upload; more is `TOO_LARGE`. */
  maxImportBytes: number
  /** Reading stops at this many bad lines. Default 100. */
  maxErrors?: number
}

// Beyond the base64 of the largest body, what a line may carry (headers, ids, times).
const MAX_LINE_OVERHEAD = 1024 * 1024
// Work done between two turns of the event loop, so other requests are served meanwhile.
const SLICE_BYTES = 64 * 1024
// Stores are written in batches of this many records or bytes, whichever comes first.
const INSERT_BATCH = 256
const INSERT_BATCH_BYTES = 2 * 1024 * 1024
// Any time a Date can hold, as milliseconds since the epoch (ECMA-262: ±8.64e15).
const MAX_TIME = 8_640_000_000_000_000
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const NEWLINE = 0x0a
const utf8 = new TextDecoder('utf-8', { fatal: true })

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Reads an NDJSON export (the format of `GET /api/export`) line by line as it arrives, checking
 * each line, and giving the event loop a turn every 64 KiB so `/ping` and webhooks are still
 * served during a large upload. Nothing is stored here: one bad line refuses the whole upload.
 * Reading stops at the `maxErrors`-th bad line, so a file of garbage is refused early.
 *
 * The checked records are kept until the last line is read, because the upload is all or
 * nothing. They are kept compactly, as decoded body bytes (3/4 of their base64) and small
 * fields, so the memory held is bounded by `maxImportBytes`; the first bad line drops them.
 * A single transaction around the whole upload instead would hold SQLite's write lock while
 * the client uploads, stalling every webhook (and every other process) behind it.
 * @throws {ImportError} INVALID_LINES, EMPTY or TOO_LARGE
 */
export async function readImport(
  body: ReadableStream<Uint8Array> | null,
  options: ReadImportOptions
): Promise<ArrivedWebhook[]> {
  const { maxBodyBytes, maxImportBytes, maxErrors = 100 } = options
  const maxLineBytes = Math.ceil(maxBodyBytes / 3) * 4 + MAX_LINE_OVERHEAD
  const inputs: ArrivedWebhook[] = []
  const errors: ImportLineError[] = []
  let lineNumber = 0
  let parts: Uint8Array[] = []
  let partBytes = 0
  let overlong = false
  let received = 0
  let sinceTurn = 0

  const fail = (message: string) => {
    errors.push({ line: lineNumber, message })
    inputs.length = 0 // refused anyway: free what was kept
  }

  const endLine = () => {
    lineNumber++
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
    parts = []
    partBytes = 0
    if (overlong) {
      overlong = false
      fail(`line longer than ${maxLineBytes} bytes: its body is over ${maxBodyBytes} bytes`)
      return
    }
    let text: string
    try {
      text = utf8.decode(bytes)
    } catch {
      fail('not UTF-8')
      return
    }
    if (lineNumber === 1 && text.startsWith('\uFEFF')) text = text.slice(1)
    if (text.trim() === '') return
    try {
      const input = parseLine(text, maxBodyBytes)
      if (errors.length === 0) inputs.push(input)
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error))
    }
  }

  const addPart = (part: Uint8Array) => {
    if (overlong || part.byteLength === 0) return
    partBytes += part.byteLength
    // past the limit the rest of the line is skipped, not kept
    if (partBytes > maxLineBytes) overlong = true
    else parts.push(part)
  }

  const reader = body?.getReader()
  try {
    while (reader !== undefined && errors.length < maxErrors) {
      const { done, value } = await reader.read()
      if (done) break
      received += value.byteLength
      if (received > maxImportBytes) {
        throw new ImportError(`import larger than ${maxImportBytes} bytes; split the file`, {
          code: 'TOO_LARGE',
        })
      }
      let start = 0
      while (start < value.byteLength && errors.length < maxErrors) {
        const end = value.indexOf(NEWLINE, start)
        const stop = end === -1 ? value.byteLength : end
        addPart(value.subarray(start, stop))
        if (end !== -1) endLine()
        sinceTurn += stop + 1 - start
        start = stop + 1
        if (sinceTurn >= SLICE_BYTES) {
          sinceTurn = 0
          await nextTurn()
        }
      }
    }
    if (errors.length < maxErrors && (parts.length > 0 || overlong)) endLine()
  } finally {
    // Ended early (too many errors, too large): stop reading, so the client's upload stalls.
    // Not cancel(): that destroys Node's request stream (Readable.toWeb), which may take the
    // socket down before the 400 is written. The answer says `connection: close`, and the
    // adapter discards what the client still sends.
    reader?.releaseLock()
  }

  if (errors.length > 0) {
    const [first] = errors
    const stopped = errors.length >= maxErrors ? `, stopped reading at line ${lineNumber}` : ''
    throw new ImportError(
      `${errors.length} invalid line${errors.length === 1 ? '' : 's'}${stopped} (first: line ${first!.line}: ${first!.message}); nothing was imported`,
      { code: 'INVALID_LINES', errors }
    )
  }
  if (inputs.length === 0)
    throw new ImportError('no webhook in the upload; nothing was imported', { code: 'EMPTY' })
  return inputs
}

function parseLine(line: string, maxBodyBytes: number): ArrivedWebhook {
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
  const body = Buffer.from(bodyBase64, 'base64')
  if (body.byteLength > maxBodyBytes) {
    throw new Error(
      `body is ${body.byteLength} bytes, larger than RECEIVER_MAX_BODY_BYTES (${maxBodyBytes})`
    )
  }
  // the intake's rules, as for a live delivery: the record itself is made when it is stored
  try {
    parseWebhookBody(body)
  } catch (error) {
    if (!(error instanceof InvalidBodyError)) throw error
    throw new Error(
      error.code === 'NOT_OBJECT'
        ? 'bodyBase64 does not decode to a JSON object'
        : 'bodyBase64 does not decode to UTF-8 JSON'
    )
  }

  const rawTime = record['receivedAt']
  const receivedAt =
    typeof rawTime === 'number' ? rawTime : typeof rawTime === 'string' ? Date.parse(rawTime) : NaN
  // a time a Date cannot hold would fail later, when the stored row is shown (it was a 500)
  if (!Number.isFinite(receivedAt) || receivedAt < 0 || receivedAt > MAX_TIME)
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

  const verdict = record['verdict'] ?? VERDICTS.unchecked
  if (typeof verdict !== 'string' || verdict === '') throw new Error('verdict must be a string')
  return {
    body,
    headers,
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
 * Stores checked webhooks in file order. A batch's inserts run concurrently so the store's
 * group commit puts them in one transaction; batches are capped in bytes too, so a batch of
 * large bodies is not one long transaction. Each stored input is let go at once. Dedup by
 * messageId applies as for live deliveries.
 */
export async function importWebhooks(
  store: WebhookStore,
  inputs: (ArrivedWebhook | undefined)[]
): Promise<ImportResult> {
  const result: ImportResult = { total: inputs.length, imported: 0, duplicates: 0, stored: [] }
  for (let start = 0; start < inputs.length;) {
    const batch: ArrivedWebhook[] = []
    let bytes = 0
    while (
      start < inputs.length &&
      batch.length < INSERT_BATCH &&
      (batch.length === 0 || bytes + inputs[start]!.body.byteLength <= INSERT_BATCH_BYTES)
    ) {
      bytes += inputs[start]!.body.byteLength
      batch.push(inputs[start]!)
      inputs[start++] = undefined
    }
    // async: a throw becomes a rejection; each insert still starts in this turn (group commit)
    const settled = await Promise.allSettled(
      batch.map(async (input) => store.insert(toWebhookInput(input)))
    )
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
        { code: 'STORE_FAILED', partial: result, cause: failure }
      )
    }
  }
  return result
}
