import { describe, expect, it } from 'vitest'
import { DISCORD_LIMITS, embedLength, fitEmbed, type DiscordEmbed } from './format-discord.ts'
import { truncate } from './truncate.ts'

const base: DiscordEmbed = { title: 't', color: 0, fields: [], footer: { text: 'f' } }

describe('fitEmbed', () => {
  it('cuts every text to its limit', () => {
    const embed = fitEmbed({
      ...base,
      title: 'T'.repeat(300),
      fields: [{ name: 'N'.repeat(300), value: 'V'.repeat(2000) }],
    })
    expect(embed.title).toHaveLength(DISCORD_LIMITS.title)
    expect(embed.fields[0]!.name).toHaveLength(DISCORD_LIMITS.fieldName)
    expect(embed.fields[0]!.value).toHaveLength(DISCORD_LIMITS.fieldValue)
  })

  it('keeps at most 25 fields, the last one counting what was left out', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `n${i}`, value: 'v' }))
    const embed = fitEmbed({ ...base, fields })
    expect(embed.fields).toHaveLength(25)
    expect(embed.fields[24]).toEqual({ name: 'More', value: '… and 6 more' })
  })

  it('drops fields until the whole embed is within 6,000 characters', () => {
    const fields = Array.from({ length: 20 }, () => ({
      name: 'n'.repeat(200),
      value: 'v'.repeat(1000),
    }))
    const embed = fitEmbed({ ...base, fields })
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total)
    expect(embed.fields.length).toBe(5)
    expect(embed.fields.at(-1)!.value).toBe('… and 16 more')
  })

  it('shortens the description when one field is still too much', () => {
    const embed = fitEmbed({
      ...base,
      description: 'd'.repeat(5000),
      footer: { text: 'f'.repeat(2048) },
      fields: [{ name: 'n', value: 'v'.repeat(1000) }],
    })
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total)
  })

  it('fills empty field names and values (Discord refuses empty ones)', () => {
    expect(fitEmbed({ ...base, fields: [{ name: '', value: '' }] }).fields[0]).toEqual({
      name: '-',
      value: '-',
    })
  })
})

describe('truncate', () => {
  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(8)}😀😀`
    const cut = truncate(text, 10)
    expect(cut.length).toBeLessThanOrEqual(10)
    expect(cut).toBe(`${'a'.repeat(8)}…`)
    expect(() => encodeURIComponent(cut)).not.toThrow()
  })

  it('leaves short text alone', () => {
    expect(truncate('abc', 3)).toBe('abc')
  })
})
