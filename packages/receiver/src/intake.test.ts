import { describe, expect, it } from 'vitest'
import { InvalidBodyError } from './errors.ts'
import {
  intakeRequest,
  parseWebhookBody,
  SignatureRejectedError,
  toWebhookInput,
} from './intake.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('toWebhookInput', () => {
  it('derives the envelope fields, the dedup key (messageId, else Idempotency-Key) and the dump line', () => {
    const pretty =
      '{\n  "event": "job.status", "messageId": "m1", "liveMode": false,\n  "body": {"jobId": "j", "status": "FAILED"}\n}'
    const record = toWebhookInput({
      body: bytes(pretty),
      headers: { 'content-type': 'application/json', authorization: 'Basic eDp5', cookie: 'a=b' },
      verdict: 'unchecked',
      idempotencyKey: 'k1',
      receivedAt: 5,
    })
    expect(record).toMatchObject({
      compactBody:
        '{"event":"job.status","messageId":"m1","liveMode":false,"body":{"jobId":"j","status":"FAILED"}}',
      headers: { 'content-type': 'application/json' },
      remoteAddress: null,
      receivedAt: 5,
      idempotencyKey: 'k1',
      dedupKey: 'm:m1',
      fields: {
        event: 'job.status',
        liveMode: false,
        status: 'FAILED',
        messageId: 'm1',
        jobId: 'j',
      },
    })
    expect(new TextDecoder().decode(record.body)).toBe(pretty)
    const keyed = toWebhookInput({
      body: bytes('{"x":1}'),
      headers: {},
      verdict: 'v',
      idempotencyKey: 'k1',
    })
    expect([keyed.dedupKey, keyed.compactBody]).toEqual(['k:k1', null])
    expect(
      toWebhookInput({ body: bytes('{"x":1}'), headers: {}, verdict: 'v' }).dedupKey
    ).toBeNull()
  })

  it('rejects a body that is empty, not UTF-8 JSON or not a JSON object, each with its code', () => {
    const code = (body: Uint8Array) => {
      try {
        parseWebhookBody(body)
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidBodyError)
        return (error as InvalidBodyError).code
      }
      return 'accepted'
    }
    expect(code(new Uint8Array())).toBe('EMPTY')
    expect(code(bytes('not json'))).toBe('NOT_UTF8_JSON')
    expect(code(new Uint8Array([0x22, 0xff, 0x22]))).toBe('NOT_UTF8_JSON')
    expect(code(bytes('{"a": "\\u00e9"'))).toBe('NOT_UTF8_JSON')
    for (const json of ['[1,2]', '"text"', '42', 'null', 'true'])
      expect(code(bytes(json))).toBe('NOT_OBJECT')
    expect(code(bytes('\uFEFF {"a": 1}'))).toBe('accepted')
    expect(() => toWebhookInput({ body: bytes('[1]'), headers: {}, verdict: 'v' })).toThrow(
      'body must be a JSON object'
    )
  })
})

describe('intakeRequest', () => {
  const policy = {
    secret: null,
    requireSignature: false,
    requireBodyDigest: false,
    maxAgeSeconds: 60,
  }

  it('checks the body before the signature, and refuses a verdict the policy does not accept', async () => {
    const request = { body: bytes('{"messageId": "m"}'), headers: {}, remoteAddress: '127.0.0.1' }
    const record = await intakeRequest(request, policy)
    expect(record).toMatchObject({
      verdict: 'unchecked',
      remoteAddress: '127.0.0.1',
      dedupKey: 'm:m',
    })
    const strict = { ...policy, secret: 's', requireSignature: true }
    await expect(intakeRequest(request, strict)).rejects.toThrow(SignatureRejectedError)
    await expect(intakeRequest(request, strict)).rejects.toMatchObject({ verdict: 'unsigned' })
    await expect(intakeRequest({ ...request, body: bytes('[]') }, strict)).rejects.toMatchObject({
      code: 'NOT_OBJECT',
    })
    const lenient = await intakeRequest(request, { ...policy, secret: 's' })
    expect(lenient.verdict).toBe('unsigned')
    const keyed = await intakeRequest(
      { ...request, body: bytes('{}'), headers: { 'idempotency-key': 'k' } },
      policy
    )
    expect(keyed.dedupKey).toBe('k:k')
  })
})
