const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Removes the insignificant whitespace of a JSON text, so a pretty-printed body becomes one
 * line. Unlike `JSON.stringify(JSON.parse(text))` it keeps every token as written: big
 * integers, `1.0`, `\u00e9` escapes and key order survive. `text` must be valid JSON.
 */
export function compactJson(text: string): string {
  if (!/[\s]/.test(text)) return text
  let out = ''
  let start = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) {
      inString = true
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      out += text.slice(start, i)
      start = i + 1
    }
  }
  return start === 0 ? text : out + text.slice(start)
}
