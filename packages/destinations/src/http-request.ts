/** What one HTTP notification sends; built by the channel formatters, sent by sendHttp. */
export interface HttpRequestSpec {
  /** Without user info (fetch refuses it) and without secrets moved into headers. */
  url: string
  headers: Record<string, string>
  /** Text, or exact bytes (the receiver's --forward-to sends a webhook's raw body). */
  body: string | Uint8Array
}

export interface FormatOptions {
  /** The receiver's public base URL; links go there when a notice has no inspector link. */
  publicUrl?: string
}
