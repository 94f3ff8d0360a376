import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import type { HttpTriggerEvent } from '../src/core/trigger-event.ts'

export const SECRET = 'QWZTFnMEXhqZKNmu-test-secret'

/** A delivery as Pipedream's HTTP trigger hands it over: lowercase headers, body parsed. */
export async function signedTriggerEvent(
  options: { body?: string; secret?: string; created?: number; withBodyRaw?: boolean } = {}
): Promise<HttpTriggerEvent> {
  const body = options.body ?? EXAMPLE_EVENTS.jobLive
  const signed = await signWebhook({
    body,
    secret: options.secret ?? SECRET,
    ...(options.created === undefined ? {} : { created: options.created }),
  })
  return {
    method: 'POST',
    path: '/',
    query: {},
    url: 'https://eo123.m.pipedream.net/',
    client_ip: '203.0.113.7',
    headers: { 'content-type': 'application/json', 'user-agent': 'UP42', ...signed },
    body: JSON.parse(body) as unknown,
    ...(options.withBodyRaw === false ? {} : { bodyRaw: body }),
  }
}
