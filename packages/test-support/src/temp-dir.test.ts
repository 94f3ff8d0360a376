import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { createTempDatabase, createTempDir } from './temp-dir.ts'

describe('createTempDir', () => {
  it('creates a fresh directory under the temp dir and removes it with its files', async () => {
    const dir = await createTempDir('ts-test-')
    expect(dir.path.startsWith(tmpdir())).toBe(true)
    expect(existsSync(dir.path)).toBe(true)
    await writeFile(dir.file('a.txt'), 'x')
    expect(existsSync(dir.file('a.txt'))).toBe(true)
    await dir.remove()
    expect(existsSync(dir.path)).toBe(false)
  })

  it('gives a different directory each time', async () => {
    const [a, b] = await Promise.all([createTempDir(), createTempDir()])
    expect(a.path).not.toBe(b.path)
    await Promise.all([a.remove(), b.remove()])
  })
})

describe('createTempDatabase', () => {
  it('gives a not-yet-existing database path whose folder remove() deletes', async () => {
    const db = await createTempDatabase()
    expect(db.path.endsWith('webhooks.db')).toBe(true)
    expect(existsSync(db.path)).toBe(false)
    await writeFile(`${db.path}-wal`, '')
    await db.remove()
    expect(existsSync(db.dir.path)).toBe(false)
  })
})
