// "Copy as curl": the stored request, replayable from a shell with its original headers.

/**
 * POSIX shell single-quoting: safe for any byte string, including newlines and quotes.
 * @param {string} value
 */
export function shellQuote(value) {
  return `'${String(value).replaceAll("'", `'\\''`)}'`
}

/**
 * @param {{ headers: Record<string, string>, body: string }} record
 * @param {string} url
 * @param {readonly string[]} hopByHopHeaders lower-case names left out, the server replay's
 *   list (the page has it from the server, see page-config.js)
 */
export function toCurl(record, url, hopByHopHeaders) {
  const lines = [`curl -sS -X POST ${shellQuote(url)}`]
  for (const [name, value] of Object.entries(record.headers)) {
    if (hopByHopHeaders.includes(name.toLowerCase())) continue
    lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`)
  }
  lines.push(`  --data-binary ${shellQuote(record.body)}`)
  return lines.join(' \\\n')
}
