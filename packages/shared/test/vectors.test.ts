import { describe, expect, inject, it } from 'vitest'
import { runVectors, VECTORS } from './vectors.ts'

describe('known-answer vectors in this process', () => {
  it('has vectors with distinct names', () => {
    expect(VECTORS.length).toBeGreaterThan(20)
    expect(new Set(VECTORS.map((vector) => vector.name)).size).toBe(VECTORS.length)
  })

  it.each(VECTORS)('$name', async ({ run, expected }) => {
    // Through JSON, as the other runtimes report them.
    expect(JSON.parse(JSON.stringify(await run()))).toEqual(expected)
  })

  it('reports the adapter #crypto resolved to', async () => {
    const { adapter } = await runVectors()
    expect(adapter).toBe(inject('cryptoAdapter') === 'web' ? 'web' : 'not web')
  })
})
