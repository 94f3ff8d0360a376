// Known-answer vectors that every runtime must reproduce exactly: original-system.md §6.4
// (signed by UP42), our own order vector (computed with Python), and the signing cases of
// sign-webhook.test.ts (computed with node:crypto), as literals. Runtime-neutral on purpose:
// vitest runs it in-process under both adapters, and test/runtimes/ runs it under Deno, Bun
// and workerd (runtimes.test.ts compares what they print with `expected`).
import * as active from '#crypto'
import * as web from '../src/crypto/web.ts'
import {
  EXAMPLE_EVENTS,
  WebhookVerificationError,
  signWebhook,
  verifyWebhook,
  type VerifyWebhookOptions,
  type WebhookRequest,
} from '../src/index.ts'

export interface Vector {
  name: string
  run: () => Promise<unknown>
  expected: unknown
}

export const SECRET = 'QWZTFnMEXhqZKNmu'
export const CREATED = 1658759606
const DATE = 'Mon, 25 Jul 2022 14:33:26 GMT'
const AT = { secret: SECRET, now: CREATED + 10 }

export const VECTOR_1 = {
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
export const VECTOR_2 = {
  headers: {
    'content-digest': 'sha-256=:qVIMv/EKxrqH6Z5q61uu+7+QpfxQt7+2cz+Cx5TAoFw=:',
    date: DATE,
    'signature-input': `up42-sig=("content-digest" "date");created=${CREATED}`,
    signature: 'up42-sig=jhSsbESgQyWijVMTRjALIX9zMAKauxHFC6351kzLoXw=',
  },
  body: VECTOR_2_BODY,
}
const ORDER_VECTOR = {
  headers: {
    date: DATE,
    'content-type': 'application/json',
    'content-digest': 'sha-256=:aWiRk0HJS4+4lnhsYvnLERwGx+wSiZ+8qovuAyLxsfA=:',
    'signature-input': `up42-sig=("date" "content-type" "content-digest");created=${CREATED}`,
    signature: 'up42-sig=:yTjg9t7nyF7ami40sWc7j+AzZxGzn/ycpWh9RGMqrlE=:',
  },
  body: EXAMPLE_EVENTS.orderLive,
}
const SHA512_OF_EMPTY_OBJECT =
  'J8dGcK23UHX60FjVzq97IMTneGyDuuijL2Jvl4KvNMmjPCBG72D9Knh403jin+yFGAa72aZ4ePOp8c2kgwdj/Q=='

/** The verified result, or the error's code and header, as plain data every runtime can print. */
async function verdict(
  request: WebhookRequest,
  options: VerifyWebhookOptions = AT
): Promise<unknown> {
  try {
    return await verifyWebhook(request, options)
  } catch (error) {
    if (error instanceof WebhookVerificationError) return { code: error.code, header: error.header }
    if (error instanceof TypeError) return { typeError: true }
    throw error
  }
}

function withHeaders(request: WebhookRequest, headers: Record<string, string | undefined>) {
  return { ...request, headers: { ...(request.headers as Record<string, string>), ...headers } }
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const verified = (components: string[], bodyCovered: boolean, secretIndex = 0) => ({
  created: CREATED,
  components,
  secretIndex,
  bodyCovered,
})
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i)

export const VECTORS: Vector[] = [
  {
    name: '§6.4 vector 1 verifies at created + 10 without covering the body',
    run: () => verdict(VECTOR_1),
    expected: verified(['date', 'content-type'], false),
  },
  {
    name: '§6.4 vector 1 is too old at created + 300',
    run: () => verdict(VECTOR_1, { secret: SECRET, now: CREATED + 300 }),
    expected: { code: 'TIMESTAMP_TOO_OLD', header: 'signature-input' },
  },
  {
    name: '§6.4 vector 1 is accepted 1 s before created (30 s skew)',
    run: () => verdict(VECTOR_1, { secret: SECRET, now: CREATED - 1 }),
    expected: verified(['date', 'content-type'], false),
  },
  {
    name: '§6.4 vector 2 verifies and its content-digest matches the body',
    run: () => verdict(VECTOR_2),
    expected: verified(['content-digest', 'date'], true),
  },
  {
    name: '§6.4 vector 2 with PENDING replaced by SUCCEEDED fails its digest',
    run: () => verdict({ ...VECTOR_2, body: VECTOR_2_BODY.replace('PENDING', 'SUCCEEDED') }),
    expected: { code: 'BODY_DIGEST_MISMATCH', header: 'content-digest' },
  },
  {
    name: 'the order vector (Python, RFC 8941 :b64: signature) verifies',
    run: () => verdict(ORDER_VECTOR),
    expected: verified(['date', 'content-type', 'content-digest'], true),
  },
  {
    name: 'the order vector as UTF-8 bytes and under a Headers object verifies',
    run: () =>
      verdict({
        headers: new Headers(ORDER_VECTOR.headers),
        body: new TextEncoder().encode(ORDER_VECTOR.body),
      }),
    expected: verified(['date', 'content-type', 'content-digest'], true),
  },
  {
    name: 'a changed signed header is a signature mismatch',
    run: () => verdict(withHeaders(VECTOR_1, { date: 'Mon, 25 Jul 2022 14:33:27 GMT' })),
    expected: { code: 'SIGNATURE_MISMATCH', header: 'signature' },
  },
  {
    name: 'the wrong secret is a signature mismatch',
    run: () => verdict(VECTOR_1, { ...AT, secret: 'not-the-secret' }),
    expected: { code: 'SIGNATURE_MISMATCH', header: 'signature' },
  },
  ...[
    ['truncated to 16 bytes', 'up42-sig=WSoSe3XMBgpBvnjJ7CtyEg=='],
    ['extended to 33 bytes', 'up42-sig=WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPgA'],
    ['a single byte', 'up42-sig=AA=='],
  ].map(([what, signature]) => ({
    name: `a signature ${what} is a mismatch, not a crash`,
    run: () => verdict(withHeaders(VECTOR_1, { signature })),
    expected: { code: 'SIGNATURE_MISMATCH', header: 'signature' },
  })),
  {
    name: 'a second secret matches with secretIndex 1',
    run: () => verdict(VECTOR_2, { ...AT, secret: ['new-secret', SECRET] }),
    expected: verified(['content-digest', 'date'], true, 1),
  },
  {
    name: 'signature and signature-input with other members and parameters',
    run: () =>
      verdict(
        withHeaders(VECTOR_1, {
          'signature-input': `proxy=("host");created=5, up42-sig=("date" "content-type");keyid="k1";created=${CREATED}`,
          signature: 'proxy=:AAAA:, up42-sig=WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPg=',
        })
      ),
    expected: verified(['date', 'content-type'], false),
  },
  ...[
    ['a component that is a token', `up42-sig=(date);created=${CREATED}`],
    ['created as a string', `up42-sig=("date" "content-type");created="${CREATED}"`],
    ['a trailing comma', `up42-sig=("date" "content-type");created=${CREATED},`],
  ].map(([what, value]) => ({
    name: `signature-input with ${what} is malformed`,
    run: () => verdict(withHeaders(VECTOR_1, { 'signature-input': value })),
    expected: { code: 'MALFORMED_HEADER', header: 'signature-input' },
  })),
  {
    name: 'a signature that is not base64 is malformed',
    run: () => verdict(withHeaders(VECTOR_1, { signature: 'up42-sig=WSoSe3XMBgpB njJ7' })),
    expected: { code: 'MALFORMED_HEADER', header: 'signature' },
  },
  {
    name: 'a sha-512 content-digest is checked too',
    run: async () => {
      const digest = { 'content-digest': `sha-512=:${SHA512_OF_EMPTY_OBJECT}:` }
      const signed = await signWebhook({
        body: '{}',
        secret: SECRET,
        created: CREATED,
        components: ['content-digest'],
        headers: digest,
      })
      const headers = { ...signed, ...digest }
      return [await verdict({ headers, body: '{}' }), await verdict({ headers, body: '{ }' })]
    },
    expected: [
      verified(['content-digest'], true),
      { code: 'BODY_DIGEST_MISMATCH', header: 'content-digest' },
    ],
  },
  {
    name: 'signWebhook reproduces §6.4 vector 1',
    run: () =>
      signWebhook({
        body: '{}',
        secret: SECRET,
        created: CREATED,
        components: ['date', 'content-type'],
        headers: { date: DATE, 'content-type': 'application/json' },
      }),
    expected: {
      'signature-input': VECTOR_1.headers['signature-input'],
      signature: VECTOR_1.headers.signature,
    },
  },
  {
    name: 'signWebhook reproduces §6.4 vector 2, generating its content-digest',
    run: () =>
      signWebhook({
        body: VECTOR_2_BODY,
        secret: SECRET,
        created: CREATED,
        components: ['content-digest', 'date'],
      }),
    expected: VECTOR_2.headers,
  },
  {
    name: 'signWebhook signs date and content-digest by default',
    run: () => signWebhook({ body: '{"event":"order.status"}', secret: SECRET, created: CREATED }),
    expected: {
      date: DATE,
      'content-digest': 'sha-256=:OvInJtxnKpGwYh0itixpI9E+CEjqTFvILTNWSPIUhOQ=:',
      'signature-input': `up42-sig=("date" "content-digest");created=${CREATED}`,
      signature: 'up42-sig=lDS8AxPKggsKV3BrRWCMTBoasS/URL9dIV9VcUl4Zr0=',
    },
  },
  {
    name: 'signWebhook uses supplied header values',
    run: () =>
      signWebhook({
        body: '',
        secret: SECRET,
        created: CREATED,
        components: ['X-Request-Id', 'date'],
        headers: { 'x-REQUEST-id': 'abc', Date: 'Tue, 01 Jan 2030 00:00:00 GMT' },
      }),
    expected: {
      'signature-input': `up42-sig=("x-request-id" "date");created=${CREATED}`,
      signature: 'up42-sig=xHZwFaiY4EZbizjr6c7NAVKSsRTJc0wOkIFpMdWRwIE=',
    },
  },
  {
    name: 'signWebhook generates an RFC 3230 digest of bytes',
    run: async () =>
      (
        await signWebhook({
          body: new Uint8Array([1, 2, 3]),
          secret: SECRET,
          created: 1,
          components: ['digest'],
        })
      ).digest,
    expected: 'SHA-256=A5BYxvLAy0ksUzsKTRTvd8wPeKvMztUofYShogEc+4E=',
  },
  {
    name: 'signWebhook hashes a string body as UTF-8',
    run: async () =>
      (await signWebhook({ body: '{"note":"é 💥 ü"}', secret: SECRET, created: CREATED }))[
        'content-digest'
      ],
    expected: 'sha-256=:2UCNkWjpDfL+kX3B0mRcp2T4/C9n3/lD/ussZpyMtng=:',
  },
  {
    name: 'HMAC-SHA256 of RFC 4231 test case 2',
    run: async () => hex(await active.hmacSha256('Jefe', 'what do ya want for nothing?')),
    expected: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    name: 'SHA-256 of "abc" (FIPS 180-4)',
    run: async () => hex(await active.digest('SHA-256', 'abc')),
    expected: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  },
  {
    name: 'base64 of every byte value, and back',
    run: async () => {
      const encoded = active.encodeBase64(ALL_BYTES)
      const decoded = active.decodeBase64(encoded)
      return [
        encoded.length,
        encoded.slice(0, 12),
        encoded.slice(-12),
        decoded && hex(decoded) === hex(ALL_BYTES),
      ]
    },
    expected: [344, 'AAECAwQFBgcI', '+fr7/P3+/w==', true],
  },
  {
    name: 'strict base64: whitespace, URL-safe letters and dangling padding are refused',
    run: async () =>
      ['AQ ID', 'ab-_', 'AQ=', 'a', ' AQID'].map((text) => active.decodeBase64(text) ?? 'refused'),
    expected: ['refused', 'refused', 'refused', 'refused', 'refused'],
  },
]

/** What a runtime reports: which adapter `#crypto` gave it, and each vector's outcome. */
export async function runVectors(): Promise<{
  adapter: 'web' | 'not web'
  outcomes: Array<{ name: string; actual: unknown }>
}> {
  const outcomes: Array<{ name: string; actual: unknown }> = []
  for (const vector of VECTORS) {
    try {
      outcomes.push({ name: vector.name, actual: await vector.run() })
    } catch (error) {
      outcomes.push({ name: vector.name, actual: { unexpected: String(error) } })
    }
  }
  return { adapter: active === web ? 'web' : 'not web', outcomes }
}
