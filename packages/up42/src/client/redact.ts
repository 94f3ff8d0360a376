const REDACTED = '[redacted]'

/** Replaces every occurrence of the given sensitive values (tokens, passwords, secrets) in text. */
export function redactValues(text: string, values: Iterable<string | null | undefined>): string {
  let result = text
  for (const value of values) {
    // Very short values would redact ordinary words; UP42 tokens and secrets are long.
    if (value && value.length >= 4) result = result.split(value).join(REDACTED)
  }
  return result
}

/** Hides the password of a URL with credentials (`https://user:pass@host`), keeping the rest. */
export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // Not a URL, so it has no URL credentials; still drop anything that looks like `user:pass@`.
    return url.replace(/\/\/[^/@\s]*@/, '//***@')
  }
  if (!parsed.password) return url
  parsed.password = '***'
  return parsed.href
}
