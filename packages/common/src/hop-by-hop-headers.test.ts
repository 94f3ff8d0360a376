import { describe, expect, it } from 'vitest'
import { HOP_BY_HOP_HEADERS, isHopByHopHeader } from './hop-by-hop-headers.ts'

describe('isHopByHopHeader', () => {
  it.each(['Connection', 'keep-alive', 'Transfer-Encoding', 'TE', 'host', 'content-length'])(
    'is true for %s',
    (name) => expect(isHopByHopHeader(name)).toBe(true)
  )

  it.each(['content-type', 'signature', 'signature-input', 'authorization', 'user-agent'])(
    'is false for %s',
    (name) => expect(isHopByHopHeader(name)).toBe(false)
  )

  it('lists lower-case names only', () => {
    for (const name of HOP_BY_HOP_HEADERS) expect(name).toBe(name.toLowerCase())
  })
})
