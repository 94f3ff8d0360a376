// RFC 8941 dictionaries, the syntax of `signature-input` (RFC 9421) and `content-digest`
// (RFC 9530), parsed by the structured-headers package. Parsing is strict, as RFC 8941 §4.2
// requires: any syntax error fails the whole field, reported as `undefined` so that each
// caller picks its own error.
import { ParseError, parseDictionary as parse, type Dictionary } from 'structured-headers'

export { isInnerList } from 'structured-headers'

/** Parses an RFC 8941 dictionary; duplicate keys keep the last value, as the RFC says. */
export function parseDictionary(input: string): Dictionary | undefined {
  try {
    return parse(input)
  } catch (error) {
    if (error instanceof ParseError) return undefined
    throw error
  }
}
