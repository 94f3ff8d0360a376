/**
 * `url` safe inside Slack's `<url|label>` and Markdown's `[label](url)`: the characters those
 * syntaxes end on are percent-encoded, which leaves the link's target the same. The URLs come
 * from payloads (`logUrl`), so a crafted one must not close the link and inject text.
 */
export function linkUrl(url: string): string {
  return url.replace(
    /[|<>()[\]\s"`]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
  )
}
