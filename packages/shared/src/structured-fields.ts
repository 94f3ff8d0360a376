// A parser for RFC 8941 dictionaries, the syntax of `signature-input` (RFC 9421) and
// `content-digest` (RFC 9530). Only parsing is needed: serialising our own headers is a
// template string. Parsing is strict, as RFC 8941 §4.2 requires: any syntax error fails
// the whole field, which is reported as `undefined` so callers pick their own error.
import { decodeBase64 } from './base64.ts'

export type BareItem =
  | { type: 'integer' | 'decimal'; value: number }
  | { type: 'string' | 'token'; value: string }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'boolean'; value: boolean }

export type Parameters = ReadonlyMap<string, BareItem>

// Most items have no parameters; sharing one empty map saves an allocation per item.
const NO_PARAMETERS: Parameters = new Map()

export interface Item {
  kind: 'item'
  value: BareItem
  params: Parameters
}

export interface InnerList {
  kind: 'inner-list'
  items: Item[]
  params: Parameters
}

export type DictionaryMember = Item | InnerList

class SyntaxFailure extends Error {}

// Character classes as lookup tables indexed by char code: this parser runs on every
// webhook, and per-character regex tests were most of its cost.
const KEY_START = charTable('abcdefghijklmnopqrstuvwxyz*')
const KEY_CHAR = charTable('abcdefghijklmnopqrstuvwxyz0123456789_-.*')
const TOKEN_START = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*')
const TOKEN_CHAR = charTable(
  "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:/"
)
const BASE64_CHAR = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=')
const DIGIT = charTable('0123456789')
const MINUS = 0x2d
const DOT = 0x2e
const QUOTE = 0x22
const BACKSLASH = 0x5c
const SEMICOLON = 0x3b

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128)
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1
  return table
}

function isIn(table: Uint8Array, code: number): boolean {
  // The range check keeps NaN (end of input) and non-ASCII off the typed-array load, whose
  // slow path for such keys made the whole parser several times slower.
  return code < 128 && table[code] === 1
}

/** Parses an RFC 8941 dictionary; duplicate keys keep the last value, as the RFC says. */
export function parseDictionary(input: string): Map<string, DictionaryMember> | undefined {
  try {
    return new Parser(input).dictionary()
  } catch (error) {
    if (error instanceof SyntaxFailure) return undefined
    throw error
  }
}

class Parser {
  private readonly input: string
  private pos = 0

  constructor(input: string) {
    this.input = input
  }

  dictionary(): Map<string, DictionaryMember> {
    const result = new Map<string, DictionaryMember>()
    this.skip(' ')
    while (this.pos < this.input.length) {
      const key = this.key()
      let member: DictionaryMember
      if (this.peek() === '=') {
        this.pos++
        member = this.peek() === '(' ? this.innerList() : this.item()
      } else {
        member = { kind: 'item', value: { type: 'boolean', value: true }, params: this.params() }
      }
      result.set(key, member)
      this.skipOws()
      if (this.pos >= this.input.length) return result
      if (this.peek() !== ',') this.fail()
      this.pos++
      this.skipOws()
      if (this.pos >= this.input.length) this.fail()
    }
    return result
  }

  private innerList(): InnerList {
    this.pos++
    const items: Item[] = []
    while (this.pos < this.input.length) {
      this.skip(' ')
      if (this.peek() === ')') {
        this.pos++
        return { kind: 'inner-list', items, params: this.params() }
      }
      items.push(this.item())
      const next = this.peek()
      if (next !== ' ' && next !== ')') this.fail()
    }
    return this.fail()
  }

  private item(): Item {
    return { kind: 'item', value: this.bareItem(), params: this.params() }
  }

  private params(): Parameters {
    if (this.code() !== SEMICOLON) return NO_PARAMETERS
    const params = new Map<string, BareItem>()
    while (this.peek() === ';') {
      this.pos++
      this.skip(' ')
      const key = this.key()
      let value: BareItem = { type: 'boolean', value: true }
      if (this.peek() === '=') {
        this.pos++
        value = this.bareItem()
      }
      params.set(key, value)
    }
    return params
  }

  private key(): string {
    const start = this.pos
    if (!isIn(KEY_START, this.code())) this.fail()
    this.pos++
    while (isIn(KEY_CHAR, this.code())) this.pos++
    return this.input.slice(start, this.pos)
  }

  private bareItem(): BareItem {
    const c = this.peek()
    if (c === '-' || isIn(DIGIT, this.code())) return this.number()
    if (c === '"') return this.string()
    if (isIn(TOKEN_START, this.code())) return this.token()
    if (c === ':') return this.bytes()
    if (c === '?') return this.boolean()
    return this.fail()
  }

  private number(): BareItem {
    const start = this.pos
    if (this.code() === MINUS) this.pos++
    const digitsStart = this.pos
    while (isIn(DIGIT, this.code())) this.pos++
    const whole = this.pos - digitsStart
    if (whole === 0) this.fail()
    if (this.code() !== DOT) {
      if (whole > 15) this.fail()
      return { type: 'integer', value: Number(this.input.slice(start, this.pos)) }
    }
    this.pos++
    const fractionStart = this.pos
    while (isIn(DIGIT, this.code())) this.pos++
    const fraction = this.pos - fractionStart
    if (whole > 12 || fraction < 1 || fraction > 3) this.fail()
    return { type: 'decimal', value: Number(this.input.slice(start, this.pos)) }
  }

  private string(): BareItem {
    this.pos++
    // Slices runs between escapes instead of appending character by character.
    let value = ''
    let runStart = this.pos
    for (;;) {
      const code = this.code()
      if (code === QUOTE) {
        value += this.input.slice(runStart, this.pos)
        this.pos++
        return { type: 'string', value }
      }
      if (code === BACKSLASH) {
        const escaped = this.input.charCodeAt(this.pos + 1)
        if (escaped !== QUOTE && escaped !== BACKSLASH) this.fail()
        value += this.input.slice(runStart, this.pos)
        runStart = this.pos + 1
        this.pos += 2
      } else if (code >= 0x20 && code <= 0x7e) {
        this.pos++
      } else {
        // Control characters, non-ASCII and the end of input (NaN) all land here.
        this.fail()
      }
    }
  }

  private token(): BareItem {
    const start = this.pos
    this.pos++
    while (isIn(TOKEN_CHAR, this.code())) this.pos++
    return { type: 'token', value: this.input.slice(start, this.pos) }
  }

  private bytes(): BareItem {
    this.pos++
    const start = this.pos
    while (isIn(BASE64_CHAR, this.code())) this.pos++
    if (this.peek() !== ':') this.fail()
    const value = decodeBase64(this.input.slice(start, this.pos))
    this.pos++
    if (value === undefined) this.fail()
    return { type: 'bytes', value }
  }

  private boolean(): BareItem {
    this.pos++
    const c = this.peek()
    if (c !== '0' && c !== '1') this.fail()
    this.pos++
    return { type: 'boolean', value: c === '1' }
  }

  private peek(): string {
    return this.input[this.pos] ?? ''
  }

  /** Char code at the cursor, NaN at the end (which is in no table). */
  private code(): number {
    return this.input.charCodeAt(this.pos)
  }

  private skip(char: string): void {
    while (this.peek() === char) this.pos++
  }

  private skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
  }

  private fail(): never {
    throw new SyntaxFailure()
  }
}
