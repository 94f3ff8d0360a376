/** Items of a comma- and/or space-separated list (`a,b`, `a b`, `a, b`); empty items dropped. */
export function parseList(text: string | undefined): string[] {
  if (text === undefined) return []
  return text.split(/[\s,]+/).filter((item) => item !== '')
}
