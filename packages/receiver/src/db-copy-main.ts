/**
 * `pnpm --filter @up42-webhooks/receiver db:copy -- --from <sqlite file | postgres URL> --to <…>`:
 * copies a receiver database into an empty one (SQLite → PostgreSQL and back). Exit 2 for bad
 * arguments or a target that is not empty, 1 when the copy fails (nothing is written then).
 */
import { parseArgs } from 'node:util'
import { CopyError, copyDatabase } from './db-copy.ts'
import { StoreError } from './errors.ts'

const USAGE =
  'usage: db:copy -- --from <sqlite file | postgres://…> --to <sqlite file | postgres://…>'

let from: string | undefined
let to: string | undefined
try {
  const args = process.argv.slice(2)
  const { values } = parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: { from: { type: 'string' }, to: { type: 'string' } },
    strict: true,
  })
  ;({ from, to } = values)
} catch (error) {
  process.stderr.write(`db:copy: ${(error as Error).message}\n${USAGE}\n`)
  process.exit(2)
}
if (from === undefined || to === undefined) {
  process.stderr.write(`db:copy: --from and --to are both needed\n${USAGE}\n`)
  process.exit(2)
}

try {
  const result = await copyDatabase(from, to)
  process.stdout.write(
    `copied ${result.from} to ${result.to}: webhooks ${result.webhooks}, ` +
      `replay attempts ${result.replayAttempts}, deliveries ${result.deliveries}\n`
  )
} catch (error) {
  // StoreError and CopyError messages name databases without their passwords
  const cause =
    error instanceof StoreError && error.cause instanceof Error ? `: ${error.cause.message}` : ''
  process.stderr.write(`db:copy: ${(error as Error).message}${cause}\n`)
  process.exit(error instanceof CopyError ? 2 : 1)
}
