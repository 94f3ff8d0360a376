import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TempDir {
  path: string
  /** A path inside the directory (not created). */
  file(...parts: string[]): string
  /** Removes the directory and everything in it. */
  remove(): Promise<void>
}

/** A fresh directory under the OS temp dir; remove it in `afterAll`/`afterEach`. */
export async function createTempDir(prefix = 'up42-webhooks-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return {
    path,
    file: (...parts) => join(path, ...parts),
    remove: () => rm(path, { recursive: true, force: true }),
  }
}

/**
 * A path for a new SQLite database file in its own temp directory (which also gets the -wal and
 * -shm files); `remove()` deletes all of them.
 */
export async function createTempDatabase(
  name = 'webhooks.db'
): Promise<{ path: string; dir: TempDir; remove(): Promise<void> }> {
  const dir = await createTempDir('up42-webhooks-db-')
  return { path: dir.file(name), dir, remove: () => dir.remove() }
}
