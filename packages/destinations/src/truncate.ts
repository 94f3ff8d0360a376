/**
 * `text` cut to at most `max` UTF-16 code units with `…` at the end, never between the two
 * halves of a surrogate pair (a lone half is invalid text that services answer 400 to).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  if (max <= 0) return ''
  let end = max - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return `${text.slice(0, end)}…`
}
