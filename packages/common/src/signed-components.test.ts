import { describe, expect, it } from 'vitest'
import { signedComponents } from './signed-components.ts'

describe('signedComponents', () => {
  it('reads the up42-sig member wherever it stands in the dictionary', () => {
    expect(
      signedComponents('other=("x-a");created=1, up42-sig=("Date" "content-digest");created=2')
    ).toEqual(['date', 'content-digest'])
  })

  it.each([undefined, '', 'up42-sig=("date")', 'up42-sig=();created=1', 'sig=("date");created=1'])(
    'is null for %j, which a re-signed replay cannot reuse',
    (value) => {
      expect(signedComponents(value)).toBeNull()
    }
  )
})
