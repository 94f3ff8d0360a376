import { describe, expect, it } from 'vitest'
import { parseList } from './env-list.ts'

describe('parseList', () => {
  it.each([
    ['a,b', ['a', 'b']],
    ['a b', ['a', 'b']],
    [' a, b ,,c\n d ', ['a', 'b', 'c', 'd']],
    ['', []],
    [' , ', []],
    [undefined, []],
  ])('splits %j', (text, items) => {
    expect(parseList(text)).toEqual(items)
  })
})
