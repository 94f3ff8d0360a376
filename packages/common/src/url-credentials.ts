/**
 * A URL's user info taken out: `url` without it (safe for logs and error messages; `fetch`
 * refuses URLs with credentials) and the decoded user name and password, `undefined` when absent.
 * Throws `TypeError` when `raw` is not an absolute URL.
 */
export function splitUrlCredentials(raw: string | URL): {
  url: URL
  username: string | undefined
  password: string | undefined
} {
  const url = new URL(raw)
  const username = url.username === '' ? undefined : decodeURIComponent(url.username)
  const password = url.password === '' ? undefined : decodeURIComponent(url.password)
  url.username = ''
  url.password = ''
  return { url, username, password }
}

/**
 * `raw` without user info, for showing: unchanged when it has none, `''` when it is not a URL
 * (so a malformed value never leaks whatever it carries).
 */
export function withoutUrlCredentials(raw: string): string {
  if (!URL.canParse(raw)) return ''
  const url = new URL(raw)
  if (url.username === '' && url.password === '') return raw
  return splitUrlCredentials(url).url.href
}
