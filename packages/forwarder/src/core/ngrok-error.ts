/**
 * ngrok answers for an offline tunnel or a stopped upstream itself, with an error page naming the
 * cause (ERR_NGROK_3200 tunnel offline, ERR_NGROK_8012 upstream refused) and an
 * `ngrok-error-code` header. Such a reply says nothing about our receiver.
 */
export function ngrokErrorCode(
  headers: Record<string, string | string[] | undefined>,
  text: string
): string | undefined {
  const header = headers['ngrok-error-code']
  const fromHeader = Array.isArray(header) ? header[0] : header
  return fromHeader || /ERR_NGROK_\d+/.exec(text)?.[0]
}
