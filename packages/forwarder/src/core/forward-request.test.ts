import { describe, expect, it } from 'vitest'
import { buildForwardRequest } from './forward-request.ts'

const SIGNATURE = 'up42-sig=WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPg='

function forwardedHeaders(signatureInput: string): Record<string, string> {
  const event = {
    headers: {
      date: 'Mon, 25 Jul 2022 14:33:26 GMT',
      'content-digest': 'sha-256=:abc=:',
      'x-other': 'covered by another label',
      'signature-input': signatureInput,
      signature: SIGNATURE,
    },
    body: new TextEncoder().encode('{"messageId":"m-1"}'),
    receivedAt: new Date(),
  }
  return buildForwardRequest(event).headers
}

describe('buildForwardRequest', () => {
  it('copies the headers of the up42-sig member, not of another label listed first', () => {
    const input = 'other=("x-other");created=1, up42-sig=("date" "content-digest");created=2'
    expect(forwardedHeaders(input)).toEqual({
      'content-type': 'application/json',
      date: 'Mon, 25 Jul 2022 14:33:26 GMT',
      'content-digest': 'sha-256=:abc=:',
      'signature-input': input,
      signature: SIGNATURE,
      'idempotency-key': 'm-1',
    })
  })

  it('copies only the signature headers when signature-input cannot be parsed', () => {
    const input = 'up42-sig=("date" "content-digest"'
    expect(forwardedHeaders(input)).toEqual({
      'content-type': 'application/json',
      'signature-input': input,
      signature: SIGNATURE,
      'idempotency-key': 'm-1',
    })
  })

  it('leaves out signed hop-by-hop headers and authorization, the rule common holds', () => {
    const input = 'up42-sig=("date" "trailer" "proxy-connection" "authorization" "host");created=2'
    const request = buildForwardRequest({
      headers: {
        date: 'Mon, 25 Jul 2022 14:33:26 GMT',
        trailer: 'x-checksum',
        'proxy-connection': 'keep-alive',
        authorization: 'Bearer not-for-the-receiver',
        host: 'eo-webhooks.example',
        'signature-input': input,
        signature: SIGNATURE,
      },
      body: new TextEncoder().encode('{"messageId":"m-2"}'),
      receivedAt: new Date(),
    })
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      date: 'Mon, 25 Jul 2022 14:33:26 GMT',
      'signature-input': input,
      signature: SIGNATURE,
      'idempotency-key': 'm-2',
    })
  })
})
