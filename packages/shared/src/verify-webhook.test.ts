import { describe, expect, it } from 'vitest'
import { WebhookVerificationError, type WebhookVerificationErrorCode } from './errors.ts'
import { signWebhook } from './sign-webhook.ts'
import { verifyWebhook, type VerifyWebhookOptions } from './verify-webhook.ts'

// original-system.md §6.4
const SECRET = 'QWZTFnMEXhqZKNmu'
const CREATED = 1658759606
const DATE = 'Mon, 25 Jul 2022 14:33:26 GMT'
const VECTOR_1 = {
  headers: {
    date: DATE,
    'content-type': 'application/json',
    'signature-input': `up42-sig=("date" "content-type");created=${CREATED}`,
    signature: 'up42-sig=WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPg=',
  },
  body: '{}',
}
const VECTOR_2_BODY =
  '{"event":"job.status","liveMode":false,"messageId":"b6743fe0-9a26-44e9-b7aa-304b740aca55","timestamp":"2022-07-25T14:33:26.37709Z","body":{"jobId":"FB0DA199-01DF-4635-910D-A823AE7DC200","status":"PENDING"}}'
const VECTOR_2 = {
  headers: {
    'content-digest': 'sha-256=:qVIMv/EKxrqH6Z5q61uu+7+QpfxQt7+2cz+Cx5TAoFw=:',
    date: DATE,
    'signature-input': `up42-sig=("content-digest" "date");created=${CREATED}`,
    signature: 'up42-sig=jhSsbESgQyWijVMTRjALIX9zMAKauxHFC6351kzLoXw=',
  },
  body: VECTOR_2_BODY,
}
const AT = { secret: SECRET, now: CREATED + 10 }

async function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => expect.unreachable('verification should have failed'),
    (error: unknown) => error
  )
  expect(error).toBeInstanceOf(WebhookVerificationError)
  return error as WebhookVerificationError
}

async function expectCode(
  request: Parameters<typeof verifyWebhook>[0],
  options: VerifyWebhookOptions,
  code: WebhookVerificationErrorCode,
  header?: string
) {
  const error = await rejection(verifyWebhook(request, options))
  expect(error.code).toBe(code)
  expect(error.name).toBe('WebhookVerificationError')
  if (header !== undefined) expect(error.header).toBe(header)
  return error
}

describe('verifyWebhook known-answer vectors (original-system.md §6.4)', () => {
  it('accepts vector 1 at now = created + 10 without covering the body', async () => {
    await expect(verifyWebhook(VECTOR_1, AT)).resolves.toEqual({
      created: CREATED,
      components: ['date', 'content-type'],
      secretIndex: 0,
      bodyCovered: false,
    })
  })

  it('accepts vector 2 and recomputes its content-digest from the body', async () => {
    await expect(verifyWebhook(VECTOR_2, AT)).resolves.toEqual({
      created: CREATED,
      components: ['content-digest', 'date'],
      secretIndex: 0,
      bodyCovered: true,
    })
  })

  it('rejects vector 2 with PENDING replaced by SUCCEEDED (the original accepted it)', async () => {
    const body = VECTOR_2_BODY.replace('PENDING', 'SUCCEEDED')
    await expectCode({ ...VECTOR_2, body }, AT, 'BODY_DIGEST_MISMATCH', 'content-digest')
  })

  it('signWebhook reproduces both vectors byte for byte', async () => {
    const one = await signWebhook({
      body: '{}',
      secret: SECRET,
      created: CREATED,
      components: ['date', 'content-type'],
      headers: { date: DATE, 'content-type': 'application/json' },
    })
    expect(one).toEqual({
      'signature-input': VECTOR_1.headers['signature-input'],
      signature: VECTOR_1.headers.signature,
    })
    const two = await signWebhook({
      body: VECTOR_2_BODY,
      secret: SECRET,
      created: CREATED,
      components: ['content-digest', 'date'],
    })
    expect(two).toEqual(VECTOR_2.headers)
  })
})
