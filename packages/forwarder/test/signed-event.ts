import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import type { WebhookDelivery } from '../src/core/webhook-delivery.ts'
import type { HttpTriggerEvent } from '../src/steps/trigger-event.ts'

export const SECRET = 'QWZTFnMEXhqZKNmu-test-secret'

export type SignedWebhook = WebhookDelivery & { headers: Record<string, string> }

/** A signed delivery as the core takes it: the headers UP42 sends, the body's bytes, now. */
export async function signedWebhook(
  options: { body?: string; secret?: string; created?: number; receivedAt?: Date } = {}
): Promise<SignedWebhook> {
  const body = options.body ?? EXAMPLE_EVENTS.jobLive
  const signed = await signWebhook({
    body,
    secret: options.secret ?? SECRET,
    ...(options.created === undefined ? {} : { created: options.created }),
  })
  return {
    headers: { 'content-type': 'application/json', 'user-agent': 'UP42', ...signed },
    body: new TextEncoder().encode(body),
    receivedAt: options.receivedAt ?? new Date(),
  }
}

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

/** A job event a forger would like delivered: the live job, SUCCEEDED, with a new messageId. */
export const FORGED_BODY = EXAMPLE_EVENTS.jobLive
  .replace('"FAILED"', '"SUCCEEDED"')
  .replace('258270de-58f8-42da-aea6-e7a07d2667f7', '00000000-0000-4000-8000-0000000f0e9d')

/**
 * The forgery of issue 9: a genuine delivery signed two hours ago over ("date" "content-digest"),
 * re-sent with FORGED_BODY as ("<into>") carrying both signed values, the same signature and
 * created=now. Into `date` it must be refused; into a header of unknown grammar it verifies, but
 * only as a signature that does not cover the body.
 */
export async function resplitTriggerEvent(into = 'date'): Promise<HttpTriggerEvent> {
  const now = Math.floor(Date.now() / 1000)
  const old = await signWebhook({
    body: EXAMPLE_EVENTS.jobLive,
    secret: SECRET,
    created: now - 2 * 3600,
  })
  return {
    method: 'POST',
    path: '/',
    query: {},
    url: 'https://eo123.m.pipedream.net/',
    client_ip: '203.0.113.7',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'UP42',
      [into]: `${old.date}${old['content-digest']}`,
      'signature-input': `up42-sig=("${into}");created=${now}`,
      signature: old.signature!,
    },
    body: JSON.parse(FORGED_BODY) as unknown,
    bodyRaw: FORGED_BODY,
  }
}
