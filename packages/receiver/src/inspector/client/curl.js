// "Copy as curl": the stored request, replayable from a shell with its original headers.

// Same list as the server's replay (src/replay-headers.ts); a test keeps the two in sync.
export const HOP_BY_HOP_HEADERS = [
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'expect',
]

/** POSIX shell single-quoting: safe for any byte string, including newlines and quotes. */
export function shellQuote(value) {
  return `'${String(value).replaceAll("'", `'\\''`)}'`
}

/**
 * @param {{ headers: Record<string, string>, body: string }} record
 * @param {string} url
 */
export function toCurl(record, url) {
  const lines = [`curl -sS -X POST ${shellQuote(url)}`]
  for (const [name, value] of Object.entries(record.headers)) {
    if (HOP_BY_HOP_HEADERS.includes(name.toLowerCase())) continue
    lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`)
  }
  lines.push(`  --data-binary ${shellQuote(record.body)}`)
  return lines.join(' \\\n')
}
