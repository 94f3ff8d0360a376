import { h } from './dom.js'

// Highlighting creates one span per token; past this size plain text is kinder to the browser.
const HIGHLIGHT_LIMIT = 200_000
const TOKEN =
  /("(?:\\u[\da-fA-F]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false)\b|\b(null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g

/** Pretty-printed JSON of a body, or null when the body is not JSON. @param {string} text */
export function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return null
  }
}

/** @param {string} pretty */
export function jsonBlock(pretty) {
  const code = h('code', { class: 'json' })
  if (pretty.length > HIGHLIGHT_LIMIT) {
    code.textContent = pretty
    return h('pre', { class: 'code' }, code)
  }
  let last = 0
  for (const match of pretty.matchAll(TOKEN)) {
    const index = match.index ?? 0
    if (index > last) code.append(pretty.slice(last, index))
    const [whole, string, colon, bool, nul, num] = match
    if (string !== undefined) {
      code.append(h('span', { class: colon ? 'j-key' : 'j-str' }, string))
      if (colon) code.append(colon)
    } else if (bool !== undefined) code.append(h('span', { class: 'j-bool' }, bool))
    else if (nul !== undefined) code.append(h('span', { class: 'j-null' }, nul))
    else if (num !== undefined) code.append(h('span', { class: 'j-num' }, num))
    last = index + whole.length
  }
  if (last < pretty.length) code.append(pretty.slice(last))
  return h('pre', { class: 'code' }, code)
}
