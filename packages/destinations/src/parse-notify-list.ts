import type { NotifyDestination } from './channel.ts'
import { parseNotifyTarget, type ParseNotifyTargetOptions } from './parse-notify-target.ts'

/** Where an entry may start: a known prefix, a URL, `desktop:` or `cmd:`. */
const ENTRY_START = /(?<=^|[\s,])(?:desktop:|cmd:|[a-z]+\+https?:\/\/|https?:\/\/)/gi

/**
 * Parses `NOTIFY` / `RECEIVER_NOTIFY`: entries separated by commas and/or white space. A `cmd:`
 * entry keeps its spaces and commas: it runs up to the next word that starts another entry
 * (`desktop:`, `cmd:`, `<channel>+http…`, `http…`) or to the end. Names are the channel, then
 * `<channel>-2`, `<channel>-3` … for repeats. An empty or blank value gives `[]`.
 *
 * @throws {DestinationConfigError} for the first entry that is not a destination
 */
export function parseNotifyList(
  value: string | undefined,
  options: Omit<ParseNotifyTargetOptions, 'name'> & { variable: string }
): NotifyDestination[] {
  const counts = new Map<string, number>()
  return splitNotifyList(value ?? '').map((entry) => {
    const destination = parseNotifyTarget(entry, options)
    const count = (counts.get(destination.channel) ?? 0) + 1
    counts.set(destination.channel, count)
    return count === 1 ? destination : { ...destination, name: `${destination.channel}-${count}` }
  })
}

/** The entries of a `NOTIFY` value, as parseNotifyList reads them. */
export function splitNotifyList(value: string): string[] {
  const starts = [...value.matchAll(ENTRY_START)].map((match) => match.index)
  const entries: string[] = []
  const words = (text: string) => text.split(/[\s,]+/).filter((word) => word !== '')
  // Text before the first start (or a value with none) is entries of its own: each is rejected
  // by parseNotifyTarget with its own message.
  entries.push(...words(value.slice(0, starts[0] ?? value.length)))
  starts.forEach((start, i) => {
    const text = value.slice(start, starts[i + 1] ?? value.length)
    if (/^cmd:/i.test(text)) entries.push(text.replace(/[\s,]+$/, ''))
    else entries.push(...words(text))
  })
  return entries
}
