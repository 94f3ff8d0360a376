import type { RecordedRequest, ScriptedReply } from '@up42-webhooks/test-support'

// Answers shaped like the real services, for startRecordingServer({ fallback }). Each checks what
// the real service would refuse, so a formatting mistake shows as the service's own 400.

function json(request: RecordedRequest): Record<string, unknown> | undefined {
  try {
    return JSON.parse(request.body.toString('utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** ntfy: 200 with the published message as JSON; 401 without the expected Authorization. */
export function ntfyService(options: { authorization?: string } = {}) {
  return (request: RecordedRequest): ScriptedReply => {
    if (request.method !== 'POST' && request.method !== 'PUT') return { status: 405 }
    if (options.authorization && request.headers.authorization !== options.authorization) {
      return {
        status: 401,
        headers: { 'content-type': 'application/json' },
        body: '{"code":40101,"http":401,"error":"unauthorized","link":"https://ntfy.sh/docs/publish/#authentication"}',
      }
    }
    const topic = new URL(request.path, 'http://x').pathname.slice(1)
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: `${JSON.stringify({
        id: 'sPs71M8A2T',
        time: 1700000000,
        expires: 1700043200,
        event: 'message',
        topic,
        title: request.headers.title,
        message: request.body.toString('utf8'),
      })}\n`,
    }
  }
}

/** Slack incoming webhook: `200 ok` as text/html; `400 invalid_payload` / `no_text`. */
export function slackService() {
  return (request: RecordedRequest): ScriptedReply => {
    const body = json(request)
    const html = { 'content-type': 'text/html' }
    if (body === undefined) return { status: 400, headers: html, body: 'invalid_payload' }
    if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) {
      return { status: 400, headers: html, body: 'no_text' }
    }
    return { status: 200, headers: html, body: 'ok' }
  }
}

/** Discord execute webhook: 204 (200 + message JSON with ?wait=true); 400 over its limits. */
export function discordService() {
  return (request: RecordedRequest): ScriptedReply => {
    const body = json(request)
    const invalid = (message: string): ScriptedReply => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 50035, message: 'Invalid Form Body', errors: message }),
    })
    if (body === undefined) return invalid('not JSON')
    const embeds = (body.embeds ?? []) as {
      title?: string
      description?: string
      fields?: { name: string; value: string }[]
      footer?: { text: string }
    }[]
    if (typeof body.content === 'string' && body.content.length > 2000) return invalid('content')
    if (embeds.length > 10) return invalid('embeds')
    let total = 0
    for (const embed of embeds) {
      const fields = embed.fields ?? []
      if (fields.length > 25) return invalid('fields')
      if ((embed.title?.length ?? 0) > 256) return invalid('title')
      for (const field of fields) {
        if (field.name.length > 256 || field.value.length > 1024) return invalid('field')
        if (field.name === '' || field.value === '') return invalid('empty field')
        total += field.name.length + field.value.length
      }
      total += (embed.title?.length ?? 0) + (embed.description?.length ?? 0)
      total += embed.footer?.text.length ?? 0
    }
    if (total > 6000) return invalid('embeds total')
    if (new URL(request.path, 'http://x').searchParams.get('wait') === 'true') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"1"}' }
    }
    return { status: 204 }
  }
}

/** A Teams Workflows "When a Teams webhook request is received" trigger: 202, empty body. */
export function teamsService() {
  return (request: RecordedRequest): ScriptedReply => {
    const body = json(request) as
      | { type?: string; attachments?: { contentType?: string; content?: { type?: string } }[] }
      | undefined
    const attachment = body?.attachments?.[0]
    if (
      body?.type !== 'message' ||
      attachment?.contentType !== 'application/vnd.microsoft.card.adaptive' ||
      attachment.content?.type !== 'AdaptiveCard'
    ) {
      return {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: '{"error":{"code":"InvalidRequestContent","message":"The input body for trigger \'manual\' of type \'Request\' did not match its schema definition."}}',
      }
    }
    return { status: 202, headers: { 'content-length': '0' } }
  }
}
