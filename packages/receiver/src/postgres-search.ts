/**
 * Full-text search on PostgreSQL with SQLite's rules: the words are split as FTS5's `unicode61`
 * tokenizer splits them (runs of letters and digits; case and diacritics folded), and a query
 * matches when every term occurs as a word prefix (a term of several words, such as a UUID, as a
 * phrase). The `tsvector` and `tsquery` are built here as literals, so PostgreSQL's own parser
 * (which keeps e-mail addresses, URLs and hyphenated words whole) and dictionaries never apply.
 */

// PostgreSQL's limits: a lexeme is at most 2047 bytes, a position at most 16383, at most 256
// positions are kept per lexeme, and a whole tsvector must stay under 1 MiB.
const MAX_LEXEME_BYTES = 2046
const MAX_POSITION = 16383
const MAX_POSITIONS = 256
const MAX_VECTOR_BYTES = 768 * 1024

const WORD = /[\p{L}\p{N}\p{Co}]+/gu
const encoder = new TextEncoder()

/** The words of `text` in order, folded as unicode61 folds them (lower case, no diacritics). */
export function searchWords(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/\p{Mn}+/gu, '')
    .toLowerCase()
  const words = folded.match(WORD) ?? []
  return words.map(truncateWord)
}

function truncateWord(word: string): string {
  if (word.length * 3 <= MAX_LEXEME_BYTES || encoder.encode(word).length <= MAX_LEXEME_BYTES)
    return word
  // cut on a code point: the cut word still matches the prefixes a query can give
  let cut = ''
  let bytes = 0
  for (const char of word) {
    const size = encoder.encode(char).length
    if (bytes + size > MAX_LEXEME_BYTES) break
    cut += char
    bytes += size
  }
  return cut
}

const quote = (word: string) => `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`

/**
 * A `tsvector` literal of `text`'s words with their positions. A very large body is indexed up to
 * PostgreSQL's tsvector size (the words past about 768 KiB of index are not searchable there).
 */
export function toSearchVector(text: string): string {
  const positions = new Map<string, number[]>()
  let bytes = 0
  let position = 0
  for (const word of searchWords(text)) {
    position = Math.min(position + 1, MAX_POSITION)
    let list = positions.get(word)
    if (list === undefined) {
      bytes += encoder.encode(word).length + 8
      if (bytes > MAX_VECTOR_BYTES) break
      positions.set(word, (list = []))
    }
    if (list.length < MAX_POSITIONS && list[list.length - 1] !== position) {
      list.push(position)
      bytes += 2
    }
  }
  const parts: string[] = []
  for (const [word, list] of positions) parts.push(`${quote(word)}:${list.join(',')}`)
  return parts.join(' ')
}

/**
 * The `tsquery` literal for `q`: each whitespace-separated term that has a letter or digit must
 * match, its last word as a prefix; null when no term does (no filter, as in SQLite).
 */
export function toSearchQuery(q: string): string | null {
  const terms: string[] = []
  for (const term of q.split(/\s+/)) {
    const words = searchWords(term)
    if (words.length === 0) continue
    const phrase = words.map((word, i) =>
      i === words.length - 1 ? `${quote(word)}:*` : quote(word)
    )
    terms.push(phrase.length === 1 ? phrase[0]! : `(${phrase.join(' <-> ')})`)
  }
  return terms.length === 0 ? null : terms.join(' & ')
}
