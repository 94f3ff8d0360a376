// Types for the Node-side tests of this browser module (the page itself needs none).
export declare const HOP_BY_HOP_HEADERS: readonly string[]
export declare function shellQuote(value: string): string
export declare function toCurl(
  record: { headers: Record<string, string>; body: string },
  url: string
): string
