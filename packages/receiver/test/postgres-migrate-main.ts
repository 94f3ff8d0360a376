/**
 * Migrates the database at argv[2] once the clock reaches argv[3] (ms since the epoch, so several
 * processes start together) and prints migratePostgres's result as JSON: for the race test.
 */
import { connectPostgres } from '../src/postgres-store.ts'
import { migratePostgres } from '../src/postgres-migrations.ts'

const [url, startAt] = process.argv.slice(2)
const sql = connectPostgres(url!, { max: 1 })
await sql`SELECT 1`
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())))
try {
  process.stdout.write(`${JSON.stringify(await migratePostgres(sql))}\n`)
} finally {
  await sql.end()
}
