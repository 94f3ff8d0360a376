/** What one HTTP notification sends; built by the channel formatters, sent by sendHttp. */
export interface HttpRequestSpec {
  /** Without user info (fetch refuses it) and without secrets moved into headers. */
  url: string
  headers: Record<string, string>
  body: string
}

export interface FormatOptions {
  /** The receiver's public base URL; links go there when a notice has no inspector link. */
  publicUrl?: string
}
