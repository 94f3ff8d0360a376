import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRerunSpool, type SpooledRerun } from './relay-spool.ts'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'relay-spool-unit-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const record = (traceId: string): SpooledRerun => ({
  event: { headers: { 'content-type': 'application/json' }, bodyRaw: '{}' },
  trigger: { id: 'exec-1', trace_id: traceId, ts: '2026-01-01T00:00:00Z' },
  runs: 2,
  rerunContext: { firstRunAt: 1 },
  dueAt: 1_700_000_000_000,
})

describe('createRerunSpool', () => {
  it('saves one file per trace id, loads it back and removes it', async () => {
    const spool = createRerunSpool(dir, () => {})
    await spool.save(record('trace-a'))
    await spool.save(record('trace/b'))
    expect((await readdir(dir)).sort()).toEqual(['trace-a.json', 'trace_b.json'])
    const loaded = await spool.load()
    expect(loaded.map((r) => r.trigger.trace_id).sort()).toEqual(['trace-a', 'trace/b'])
    expect(loaded.find((r) => r.trigger.trace_id === 'trace-a')).toEqual(record('trace-a'))
    await spool.remove('trace-a')
    expect(await readdir(dir)).toEqual(['trace_b.json'])
  })

  it('moves aside a file whose trace id does not match its name, with a warning', async () => {
    const warnings: string[] = []
    const spool = createRerunSpool(dir, (line) => warnings.push(line))
    await writeFile(path.join(dir, 'other.json'), JSON.stringify(record('trace-a')))
    expect(await spool.load()).toEqual([])
    expect(await readdir(dir)).toEqual(['other.json.corrupt'])
    expect(warnings).toEqual([
      expect.stringContaining('its trace id does not match the file name') as string,
    ])
    expect(await readFile(path.join(dir, 'other.json.corrupt'), 'utf8')).toContain('trace-a')
  })

  it('does nothing without a directory', async () => {
    const spool = createRerunSpool(undefined, () => {})
    await spool.save(record('trace-a'))
    await spool.remove('trace-a')
    expect(await spool.load()).toEqual([])
  })
})
