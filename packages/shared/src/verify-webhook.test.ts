import { createHash, createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  WEBHOOK_VERIFICATION_ERROR_CODES,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from './errors.ts'
import { EXAMPLE_EVENTS } from './example-events.ts'
import { signWebhook } from './sign-webhook.ts'
import { verifyWebhook, type VerifyWebhookOptions, type WebhookRequest } from './verify-webhook.ts'

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
const BODY = EXAMPLE_EVENTS.jobLive

/** A delivery signed like the simulator does: date + content-digest over the live job event. */
async function delivery(
  components?: string[],
  extra: Record<string, string> = {}
): Promise<{ headers: Record<string, string>; body: string }> {
  const signed = await signWebhook({
    body: BODY,
    secret: SECRET,
    created: CREATED,
    ...(components && { components }),
    headers: extra,
  })
  return { headers: { 'content-type': 'application/json', ...extra, ...signed }, body: BODY }
}

function without(headers: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _removed, ...rest } = headers
  return rest
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('verification should have failed'),
    (error: unknown) => error
  )
}

async function expectCode(
  request: WebhookRequest,
  options: VerifyWebhookOptions,
  code: WebhookVerificationErrorCode,
  header?: string
): Promise<WebhookVerificationError> {
  const error = await rejection(verifyWebhook(request, options))
  expect(error).toBeInstanceOf(WebhookVerificationError)
  const verificationError = error as WebhookVerificationError
  expect(verificationError.name).toBe('WebhookVerificationError')
  expect(verificationError.code).toBe(code)
  expect(verificationError.header).toBe(header)
  return verificationError
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

  it('rejects vector 1 at now = created + 300 and accepts it at created - 1 (30 s skew)', async () => {
    await expectCode(
      VECTOR_1,
      { secret: SECRET, now: CREATED + 300 },
      'TIMESTAMP_TOO_OLD',
      'signature-input'
    )
    await expect(
      verifyWebhook(VECTOR_1, { secret: SECRET, now: CREATED - 1 })
    ).resolves.toMatchObject({
      created: CREATED,
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

  it('accepts our own vector: order event signed over date, content-type and content-digest', async () => {
    // Computed independently with python3 (hmac, hashlib, base64); RFC 8941 `:b64:` form.
    const request = {
      headers: {
        date: DATE,
        'content-type': 'application/json',
        'content-digest': 'sha-256=:aWiRk0HJS4+4lnhsYvnLERwGx+wSiZ+8qovuAyLxsfA=:',
        'signature-input': `up42-sig=("date" "content-type" "content-digest");created=${CREATED}`,
        signature: 'up42-sig=:yTjg9t7nyF7ami40sWc7j+AzZxGzn/ycpWh9RGMqrlE=:',
      },
      body: EXAMPLE_EVENTS.orderLive,
    }
    await expect(verifyWebhook(request, AT)).resolves.toMatchObject({ bodyCovered: true })
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

describe('verifyWebhook rejects each failure with its own code (one thing corrupted)', () => {
  it('resolves for the untouched delivery', async () => {
    const request = await delivery()
    await expect(verifyWebhook(request, AT)).resolves.toEqual({
      created: CREATED,
      components: ['date', 'content-digest'],
      secretIndex: 0,
      bodyCovered: true,
    })
  })

  it.each(['signature-input', 'signature'])('MISSING_HEADER when %s is absent', async (name) => {
    const request = await delivery()
    await expectCode(
      { ...request, headers: without(request.headers, name) },
      AT,
      'MISSING_HEADER',
      name
    )
  })

  it('MISSING_HEADER naming a listed component header that is absent', async () => {
    const request = await delivery()
    await expectCode(
      { ...request, headers: without(request.headers, 'date') },
      AT,
      'MISSING_HEADER',
      'date'
    )
  })

  it.each([
    ['no created parameter', 'up42-sig=("date" "content-digest")'],
    ['created is not an integer', 'up42-sig=("date" "content-digest");created="1658759606"'],
    ['created is negative', 'up42-sig=("date" "content-digest");created=-1'],
    ['no up42-sig member', `sig1=("date" "content-digest");created=${CREATED}`],
    ['up42-sig is not a list', `up42-sig="date";created=${CREATED}`],
    ['an empty component list', `up42-sig=();created=${CREATED}`],
    ['a derived component', `up42-sig=("@method" "date");created=${CREATED}`],
    ['a component that is a token, not a string', `up42-sig=(date);created=${CREATED}`],
    [
      'the original regex form without quotes is not RFC 8941',
      `up42-sig=("date" "content-digest";created=${CREATED}`,
    ],
    ['a trailing comma', `up42-sig=("date" "content-digest");created=${CREATED},`],
  ])('MALFORMED_HEADER for signature-input with %s', async (_, value) => {
    const request = await delivery()
    const headers = { ...request.headers, 'signature-input': value }
    await expectCode({ ...request, headers }, AT, 'MALFORMED_HEADER', 'signature-input')
  })

  it.each([
    ['no up42-sig member', 'sig1=WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPg='],
    ['a value that is not base64', 'up42-sig=not*base64'],
    ['an empty value', 'up42-sig='],
    ['no label', 'WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPg='],
  ])('MALFORMED_HEADER for signature with %s', async (_, value) => {
    const request = await delivery()
    const headers = { ...request.headers, signature: value }
    await expectCode({ ...request, headers }, AT, 'MALFORMED_HEADER', 'signature')
  })

  it.each([
    ['only unsupported algorithms', 'md5=:HUXZLQLMuI/KZ5KDcJPcOA==:'],
    ['a digest that is not a byte sequence', 'sha-256=qVIMv'],
    ['broken structured-field syntax', 'sha-256=:abc'],
  ])('MALFORMED_HEADER for a signed content-digest with %s', async (_, value) => {
    const request = await delivery(['date', 'content-digest'], { 'content-digest': value })
    await expectCode(request, AT, 'MALFORMED_HEADER', 'content-digest')
  })

  it('TIMESTAMP_TOO_OLD when created is maxAgeSeconds ago', async () => {
    const request = await delivery()
    await expectCode(
      request,
      { secret: SECRET, now: CREATED + 300 },
      'TIMESTAMP_TOO_OLD',
      'signature-input'
    )
  })

  it('TIMESTAMP_IN_FUTURE when created is beyond the skew', async () => {
    const request = await delivery()
    await expectCode(
      request,
      { secret: SECRET, now: CREATED - 31 },
      'TIMESTAMP_IN_FUTURE',
      'signature-input'
    )
  })

  it('SIGNATURE_MISMATCH when a signed header value changes', async () => {
    const request = await delivery()
    const headers = { ...request.headers, date: 'Mon, 25 Jul 2022 14:33:27 GMT' }
    await expectCode({ ...request, headers }, AT, 'SIGNATURE_MISMATCH', 'signature')
  })

  it('SIGNATURE_MISMATCH when the component order changes', async () => {
    const request = await delivery()
    const headers = {
      ...request.headers,
      'signature-input': `up42-sig=("content-digest" "date");created=${CREATED}`,
    }
    await expectCode({ ...request, headers }, AT, 'SIGNATURE_MISMATCH', 'signature')
  })

  it('SIGNATURE_MISMATCH for the wrong secret', async () => {
    await expectCode(
      await delivery(),
      { ...AT, secret: 'not-the-secret' },
      'SIGNATURE_MISMATCH',
      'signature'
    )
  })

  it.each([
    ['truncated to 16 bytes', 'up42-sig=WSoSe3XMBgpBvnjJ7CtyEg=='],
    ['extended to 33 bytes', 'up42-sig=WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPgA'],
    ['a single byte', 'up42-sig=AA=='],
  ])('SIGNATURE_MISMATCH (not a crash) for a signature %s', async (_, signature) => {
    await expectCode(
      { ...VECTOR_1, headers: { ...VECTOR_1.headers, signature } },
      AT,
      'SIGNATURE_MISMATCH',
      'signature'
    )
  })

  it('BODY_DIGEST_MISMATCH when the body changes under a signed content-digest', async () => {
    const request = await delivery()
    const body = request.body.replace('"FAILED"', '"SUCCEEDED"')
    expect(body).not.toBe(request.body)
    await expectCode({ ...request, body }, AT, 'BODY_DIGEST_MISMATCH', 'content-digest')
  })

  it('BODY_NOT_SIGNED under requireBodyDigest when no digest is signed', async () => {
    const request = await delivery(['date', 'content-type'], { 'content-type': 'application/json' })
    await expectCode(
      request,
      { ...AT, requireBodyDigest: true },
      'BODY_NOT_SIGNED',
      'signature-input'
    )
  })

  it('covers every error code', () => {
    // Keeps this block honest if a code is added without a test above.
    expect(WEBHOOK_VERIFICATION_ERROR_CODES).toEqual([
      'MISSING_HEADER',
      'MALFORMED_HEADER',
      'TIMESTAMP_TOO_OLD',
      'TIMESTAMP_IN_FUTURE',
      'SIGNATURE_MISMATCH',
      'BODY_DIGEST_MISMATCH',
      'BODY_NOT_SIGNED',
    ])
  })

  it('never puts the secret, the signature or header values into the error', async () => {
    const request = await delivery()
    const headers = { ...request.headers, date: 'Mon, 25 Jul 2022 14:33:40 GMT' }
    const error = await expectCode({ ...request, headers }, AT, 'SIGNATURE_MISMATCH', 'signature')
    const text = `${error.message} ${String(error.cause)} ${JSON.stringify(error)}`
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain(request.headers.signature!.slice('up42-sig='.length))
    expect(text).not.toContain('2022')
  })
})

describe('verifyWebhook timestamps', () => {
  it.each([
    ['maxAge - 1 s ago', CREATED + 299, true],
    ['exactly maxAge ago', CREATED + 300, false],
    ['now', CREATED, true],
    ['30 s in the future (the default skew)', CREATED - 30, true],
    ['31 s in the future', CREATED - 31, false],
  ])('created %s → accepted: %s', async (_, now, accepted) => {
    const result = verifyWebhook(await delivery(), { secret: SECRET, now })
    if (accepted) await expect(result).resolves.toMatchObject({ created: CREATED })
    else await expect(result).rejects.toBeInstanceOf(WebhookVerificationError)
  })

  it('honours maxAgeSeconds and futureSkewSeconds', async () => {
    const request = await delivery()
    const options = { secret: SECRET, maxAgeSeconds: 60, futureSkewSeconds: 0 }
    await expect(verifyWebhook(request, { ...options, now: CREATED + 59 })).resolves.toBeDefined()
    await expectCode(
      request,
      { ...options, now: CREATED + 60 },
      'TIMESTAMP_TOO_OLD',
      'signature-input'
    )
    await expectCode(
      request,
      { ...options, now: CREATED - 1 },
      'TIMESTAMP_IN_FUTURE',
      'signature-input'
    )
  })

  it('defaults now to the clock', async () => {
    const created = Math.floor(Date.now() / 1000)
    const signed = await signWebhook({ body: BODY, secret: SECRET, created })
    await expect(
      verifyWebhook({ headers: signed, body: BODY }, { secret: SECRET })
    ).resolves.toMatchObject({
      created,
    })
    const stale = await signWebhook({ body: BODY, secret: SECRET, created: created - 3600 })
    await expectCode(
      { headers: stale, body: BODY },
      { secret: SECRET },
      'TIMESTAMP_TOO_OLD',
      'signature-input'
    )
  })
})

const FORGED_BODY = EXAMPLE_EVENTS.jobLive.replace('"FAILED"', '"SUCCEEDED"')
const httpDate = (seconds: number) => new Date(seconds * 1000).toUTCString()

describe('verifyWebhook: no forgery by re-splitting the signed string (issue 9)', () => {
  // A genuine delivery signed over ("date" "content-digest") two hours before `now`.
  const now = CREATED + 2 * 3600
  async function genuine() {
    return signWebhook({ body: BODY, secret: SECRET, created: CREATED })
  }

  it('rejects ("date") carrying the old date and the old content-digest, with created=now', async () => {
    const old = await genuine()
    const headers = {
      'content-type': 'application/json',
      date: `${old.date}${old['content-digest']}`,
      'signature-input': `up42-sig=("date");created=${now}`,
      signature: old.signature!,
    }
    // The string to sign is the same concatenation, so the HMAC alone would accept it.
    const mac = createHmac('sha256', SECRET).update(headers.date).digest('base64')
    expect(`up42-sig=${mac}`).toBe(old.signature)
    const forged = { headers, body: FORGED_BODY }
    await expectCode(forged, { secret: SECRET, now }, 'MALFORMED_HEADER', 'date')
    // Also with the receiver's one-day window and with body digests not required.
    await expectCode(
      forged,
      { secret: SECRET, now, maxAgeSeconds: 86400 },
      'MALFORMED_HEADER',
      'date'
    )
  })

  it.each([
    ['content-digest', 'content-digest'],
    ['digest', 'digest'],
    ['content-type', 'content-type'],
    ['content-length', 'content-length'],
  ])('rejects the whole signed string moved into %s', async (name, header) => {
    const old = await genuine()
    const headers = {
      [name]: `${old.date}${old['content-digest']}`,
      'signature-input': `up42-sig=("${name}");created=${now}`,
      signature: old.signature!,
    }
    await expectCode(
      { headers, body: FORGED_BODY },
      { secret: SECRET, now },
      'MALFORMED_HEADER',
      header
    )
  })

  it('rejects the signed string of ("content-digest" "date") moved into content-digest', async () => {
    const forged = {
      headers: {
        'content-digest': `${VECTOR_2.headers['content-digest']}${VECTOR_2.headers.date}`,
        'signature-input': `up42-sig=("content-digest");created=${now}`,
        signature: VECTOR_2.headers.signature,
      },
      body: '{"forged":true}',
    }
    await expectCode(forged, { secret: SECRET, now }, 'MALFORMED_HEADER', 'content-digest')
  })

  it('rejects the old date kept in date and the old digest moved to another header', async () => {
    const old = await genuine()
    const headers = {
      date: old.date!,
      'x-digest': old['content-digest']!,
      signature: old.signature!,
    }
    // created rewritten to now: the signed date contradicts it
    await expectCode(
      {
        headers: { ...headers, 'signature-input': `up42-sig=("date" "x-digest");created=${now}` },
        body: FORGED_BODY,
      },
      { secret: SECRET, now, maxAgeSeconds: 86400 },
      'MALFORMED_HEADER',
      'signature-input'
    )
    // created rewritten to agree with the date: the date itself is too old
    await expectCode(
      {
        headers: {
          ...headers,
          'signature-input': `up42-sig=("date" "x-digest");created=${CREATED + 30}`,
        },
        body: FORGED_BODY,
      },
      { secret: SECRET, now, maxAgeSeconds: 7200 },
      'TIMESTAMP_TOO_OLD',
      'date'
    )
  })

  it('says bodyCovered: false when the whole string moves into a header of unknown grammar, and requireBodyDigest refuses it', async () => {
    // UP42's scheme cannot prevent this one: the verdict must not claim the body.
    const old = await genuine()
    const forged = {
      headers: {
        'x-anything': `${old.date}${old['content-digest']}`,
        'signature-input': `up42-sig=("x-anything");created=${now}`,
        signature: old.signature!,
      },
      body: FORGED_BODY,
    }
    await expect(verifyWebhook(forged, { secret: SECRET, now })).resolves.toEqual({
      created: now,
      components: ['x-anything'],
      secretIndex: 0,
      bodyCovered: false,
    })
    await expectCode(
      forged,
      { secret: SECRET, now, requireBodyDigest: true },
      'BODY_NOT_SIGNED',
      'signature-input'
    )
  })
})

describe('verifyWebhook parses every signed header of known grammar before the MAC', () => {
  const SHA256 = createHash('sha256').update(BODY).digest('base64')

  // Signed by hand, as the original Python does (signWebhook refuses values HTTP would alter):
  // each delivery carries a correct HMAC over the malformed value, so only the grammar check
  // can reject it.
  function signedWith(name: string, value: string): WebhookRequest {
    const components = name === 'date' ? ['date', 'content-digest'] : ['date', name]
    const headers: Record<string, string> = {
      date: DATE,
      'content-digest': `sha-256=:${SHA256}:`,
      [name]: value,
    }
    const signed = components.map((component) => headers[component]).join('')
    const mac = createHmac('sha256', SECRET).update(signed).digest('base64')
    const list = components.map((component) => `"${component}"`).join(' ')
    headers['signature-input'] = `up42-sig=(${list});created=${CREATED}`
    headers.signature = `up42-sig=${mac}`
    return { headers, body: BODY }
  }

  it.each([
    ['text after the date', `${DATE}sha-256=:AAAA:`],
    ['a second date (two fields combined)', `${DATE}, ${DATE}`],
    ['the obsolete RFC 850 form', 'Monday, 25-Jul-22 14:33:26 GMT'],
    ['the obsolete asctime form', 'Mon Jul 25 14:33:26 2022'],
    ['the wrong weekday', 'Tue, 25 Jul 2022 14:33:26 GMT'],
    ['lowercase names', 'mon, 25 jul 2022 14:33:26 gmt'],
    ['a zone other than GMT', 'Mon, 25 Jul 2022 14:33:26 +0000'],
    ['a one-digit day', 'Mon, 5 Jul 2022 14:33:26 GMT'],
    ['a day the month does not have', 'Fri, 31 Jun 2022 14:33:26 GMT'],
    ['29 February of a common year', 'Tue, 29 Feb 2022 14:33:26 GMT'],
    ['hour 24', 'Mon, 25 Jul 2022 24:00:00 GMT'],
    ['minute 60', 'Mon, 25 Jul 2022 14:60:00 GMT'],
    ['second 61', 'Mon, 25 Jul 2022 14:33:61 GMT'],
    ['a leading space', ` ${DATE}`],
    ['an empty value', ''],
  ])('date with %s', async (_, value) => {
    await expectCode(signedWith('date', value), AT, 'MALFORMED_HEADER', 'date')
  })

  it.each([
    ['text after the dictionary', `sha-256=:${SHA256}:${DATE}`],
    ['an unknown algorithm whose value is not a byte sequence', `unixsum=5, sha-256=:${SHA256}:`],
    ['an inner list as a member', `sha-256=(:${SHA256}:)`],
    ['a sha-256 digest of 3 bytes', 'sha-256=:AAAA:'],
    ['a sha-512 digest of 32 bytes', `sha-512=:${SHA256}:`],
    ['an empty value', ''],
  ])('content-digest with %s', async (_, value) => {
    await expectCode(signedWith('content-digest', value), AT, 'MALFORMED_HEADER', 'content-digest')
  })

  it.each([
    ['text after the digest', `SHA-256=${SHA256}${DATE}`],
    ['no "="', 'SHA-256'],
    ['no digest after "="', 'SHA-256='],
    ['a value that is not base64', 'SHA-256=not*base64'],
    ['a sha-256 digest of 3 bytes', 'SHA-256=AAAA'],
    ['only unsupported algorithms', 'MD5=HUXZLQLMuI/KZ5KDcJPcOA=='],
    ['an empty list element', `SHA-256=${SHA256},,`],
    ['an algorithm that is not a token', `SHA 256=${SHA256}`],
    ['a leading space', ` SHA-256=${SHA256}`],
  ])('digest with %s', async (_, value) => {
    await expectCode(signedWith('digest', value), AT, 'MALFORMED_HEADER', 'digest')
  })

  it.each([
    ['text after the media type', `application/json${DATE}`],
    ['no subtype', 'application'],
    ['a space before the slash', 'application /json'],
    ['two media types', 'text/plain, application/json'],
    ['a parameter without a value', 'text/plain; charset'],
    ['an unterminated quoted string', 'text/plain; charset="utf-8'],
    ['a space in a token value', 'text/plain; charset=utf 8'],
    ['a leading space', ' application/json'],
    ['an empty value', ''],
  ])('content-type with %s', async (_, value) => {
    await expectCode(signedWith('content-type', value), AT, 'MALFORMED_HEADER', 'content-type')
  })

  it.each([
    ['a list (two fields combined)', '1155, 1155'],
    ['a sign', '+1155'],
    ['a fraction', '1155.0'],
    ['hex', '0x483'],
    ['trailing text', `1155${DATE}`],
    ['a leading space', ' 1155'],
    ['an empty value', ''],
  ])('content-length with %s', async (_, value) => {
    await expectCode(signedWith('content-length', value), AT, 'MALFORMED_HEADER', 'content-length')
  })

  it('does not parse headers the signature does not cover', async () => {
    const request = await delivery()
    const headers = { ...request.headers, 'content-type': 'not a type', 'content-length': 'x' }
    await expect(verifyWebhook({ ...request, headers }, AT)).resolves.toMatchObject({
      bodyCovered: true,
    })
  })

  it('never puts the malformed value into the error', async () => {
    const error = await expectCode(
      signedWith('date', `${DATE}secret-looking-tail`),
      AT,
      'MALFORMED_HEADER',
      'date'
    )
    expect(`${error.message} ${JSON.stringify(error)}`).not.toMatch(/2022|secret-looking/)
  })

  it('still verifies well-formed values of every known grammar', async () => {
    const length = String(new TextEncoder().encode(BODY).length)
    for (const [name, value] of [
      ['content-type', 'application/json'],
      ['content-type', 'application/json; charset=utf-8'],
      ['content-type', 'text/plain;charset="a \\" b";;x=y'],
      ['content-type', 'multipart/form-data; boundary=x;'],
      ['content-length', length],
      ['content-length', '0'],
      ['digest', `sha-256=${SHA256}`],
      ['digest', `MD5=HUXZLQLMuI/KZ5KDcJPcOA==, SHA-256=${SHA256}`],
      ['digest', `SHA-256=${SHA256},unixsum=30637`],
      ['content-digest', `sha-256=:${SHA256}:;x=1, md5=:HUXZLQLMuI/KZ5KDcJPcOA==:`],
      ['date', 'Mon, 25 Jul 2022 14:33:36 GMT'],
    ] as const) {
      const components = ['date', 'content-digest']
      if (!components.includes(name)) components.push(name)
      const request = await delivery(components, { [name]: value })
      await expect(verifyWebhook(request, AT), `${name}: ${value}`).resolves.toMatchObject({
        bodyCovered: true,
      })
    }
    const all = await delivery(
      ['date', 'content-type', 'content-length', 'digest', 'content-digest'],
      {
        'content-type': 'application/json',
        'content-length': length,
      }
    )
    await expect(verifyWebhook(all, AT)).resolves.toMatchObject({ bodyCovered: true })
  })
})

describe('verifyWebhook binds the time to a signed date', () => {
  async function signedAt(created: number, date: number) {
    const headers = { 'content-type': 'application/json', date: httpDate(date) }
    const signed = await signWebhook({ body: BODY, secret: SECRET, created, headers })
    return { headers: { ...headers, ...signed }, body: BODY }
  }

  it('accepts created up to futureSkewSeconds away from the date, either way', async () => {
    await expect(verifyWebhook(await signedAt(CREATED, CREATED + 30), AT)).resolves.toBeDefined()
    await expect(verifyWebhook(await signedAt(CREATED, CREATED - 30), AT)).resolves.toBeDefined()
  })

  it.each([
    ['31 s after', 31],
    ['31 s before', -31],
    ['two hours before', -7200],
  ])('MALFORMED_HEADER (signature-input) when the date is %s created', async (_, offset) => {
    await expectCode(
      await signedAt(CREATED, CREATED + offset),
      { ...AT, maxAgeSeconds: 86400 },
      'MALFORMED_HEADER',
      'signature-input'
    )
  })

  it('follows futureSkewSeconds: with 0 the date must equal created', async () => {
    const options = { ...AT, futureSkewSeconds: 0, now: CREATED }
    await expect(verifyWebhook(await signedAt(CREATED, CREATED), options)).resolves.toBeDefined()
    await expectCode(
      await signedAt(CREATED, CREATED + 1),
      options,
      'MALFORMED_HEADER',
      'signature-input'
    )
  })

  it('TIMESTAMP_TOO_OLD (date) when created is in the window but the date is maxAgeSeconds old', async () => {
    const now = CREATED + 299
    await expectCode(
      await signedAt(CREATED, now - 300),
      { secret: SECRET, now },
      'TIMESTAMP_TOO_OLD',
      'date'
    )
    await expect(
      verifyWebhook(await signedAt(CREATED, now - 299), { secret: SECRET, now })
    ).resolves.toBeDefined()
  })

  it('TIMESTAMP_IN_FUTURE (date) when created is in the window but the date is beyond the skew', async () => {
    const now = CREATED - 30
    await expectCode(
      await signedAt(CREATED, now + 31),
      { secret: SECRET, now },
      'TIMESTAMP_IN_FUTURE',
      'date'
    )
    await expect(
      verifyWebhook(await signedAt(CREATED, now + 30), { secret: SECRET, now })
    ).resolves.toBeDefined()
  })

  it('does not bind the time when the date is not signed', async () => {
    const signed = await signWebhook({
      body: BODY,
      secret: SECRET,
      created: CREATED,
      components: ['content-digest'],
    })
    const headers = { ...signed, date: httpDate(CREATED - 7200) }
    await expect(verifyWebhook({ headers, body: BODY }, AT)).resolves.toMatchObject({
      bodyCovered: true,
    })
  })
})

describe('verifyWebhook header containers', () => {
  it('reads a record with keys in any case', async () => {
    const request = await delivery()
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value], i) => [
        i % 2 ? name.toUpperCase() : name.replace(/^./, (c) => c.toUpperCase()),
        value,
      ])
    )
    expect(headers).not.toHaveProperty('signature')
    await expect(verifyWebhook({ ...request, headers }, AT)).resolves.toMatchObject({
      bodyCovered: true,
    })
  })

  it('reads a Fetch Headers object', async () => {
    const request = await delivery()
    await expect(
      verifyWebhook({ ...request, headers: new Headers(request.headers) }, AT)
    ).resolves.toMatchObject({ bodyCovered: true })
  })

  it('joins array values and repeated fields with ", " as HTTP does', async () => {
    const request = await delivery(['date', 'x-tag', 'content-digest'], { 'x-tag': 'a, b' })
    const { 'x-tag': _tag, ...rest } = request.headers
    await expect(
      verifyWebhook({ ...request, headers: { ...rest, 'x-tag': ['a', 'b'] } }, AT)
    ).resolves.toBeDefined()
    await expect(
      verifyWebhook({ ...request, headers: { ...rest, 'X-Tag': 'a', 'x-tag': 'b' } }, AT)
    ).resolves.toBeDefined()
    const headers = new Headers(rest)
    headers.append('x-tag', 'a')
    headers.append('x-tag', 'b')
    await expect(verifyWebhook({ ...request, headers }, AT)).resolves.toBeDefined()
  })

  it('combines signature-input values given as an array into one dictionary', async () => {
    const request = await delivery()
    const headers = {
      ...request.headers,
      'signature-input': ['other=("host");created=1', request.headers['signature-input']!],
    }
    await expect(verifyWebhook({ ...request, headers }, AT)).resolves.toBeDefined()
  })

  it('ignores undefined values and empty arrays, treating the header as absent', async () => {
    const request = await delivery()
    await expectCode(
      { ...request, headers: { ...request.headers, date: undefined } },
      AT,
      'MISSING_HEADER',
      'date'
    )
    await expectCode(
      { ...request, headers: { ...request.headers, date: [] } },
      AT,
      'MISSING_HEADER',
      'date'
    )
  })

  it('does not resolve prototype members as headers', async () => {
    const request = await delivery(['constructor', 'content-digest'], { constructor: 'x' })
    const { constructor: _value, ...rest } = request.headers
    await expectCode({ ...request, headers: rest }, AT, 'MISSING_HEADER', 'constructor')
  })
})

describe('verifyWebhook signature forms and other parties', () => {
  it('accepts the RFC 8941 byte-sequence form up42-sig=:<b64>:', async () => {
    const headers = {
      ...VECTOR_1.headers,
      signature: 'up42-sig=:WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPg=:',
    }
    await expect(verifyWebhook({ ...VECTOR_1, headers }, AT)).resolves.toBeDefined()
  })

  it('ignores other members of signature and signature-input and other parameters', async () => {
    const headers = {
      ...VECTOR_1.headers,
      'signature-input': `proxy=("host");created=5, up42-sig=("date" "content-type");keyid="k1";alg="hmac-sha256";created=${CREATED};nonce="x"`,
      signature: 'proxy=:AAAA:, up42-sig=WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPg=',
    }
    await expect(verifyWebhook({ ...VECTOR_1, headers }, AT)).resolves.toMatchObject({
      components: ['date', 'content-type'],
    })
  })
})

describe('verifyWebhook body', () => {
  it('accepts a tampered body when no digest is signed, reporting bodyCovered: false', async () => {
    const request = await delivery(['date', 'content-type'], { 'content-type': 'application/json' })
    const body = request.body.replace('"FAILED"', '"SUCCEEDED"')
    await expect(verifyWebhook({ ...request, body }, AT)).resolves.toMatchObject({
      bodyCovered: false,
    })
  })

  it('reports the signature, not the digest, when both are wrong', async () => {
    const request = await delivery()
    await expectCode(
      { ...request, body: 'tampered' },
      { ...AT, secret: 'other' },
      'SIGNATURE_MISMATCH',
      'signature'
    )
  })

  it('hashes a string body as UTF-8 and accepts the same bytes as a Uint8Array', async () => {
    const body = '{"note":"é 💥 ü"}'
    const signed = await signWebhook({ body, secret: SECRET, created: CREATED })
    expect(signed['content-digest']).toBe(
      `sha-256=:${createHash('sha256').update(body, 'utf8').digest('base64')}:`
    )
    await expect(verifyWebhook({ headers: signed, body }, AT)).resolves.toMatchObject({
      bodyCovered: true,
    })
    const bytes = new TextEncoder().encode(body)
    await expect(verifyWebhook({ headers: signed, body: bytes }, AT)).resolves.toMatchObject({
      bodyCovered: true,
    })
  })

  it('checks an RFC 3230 digest header (algorithm name in any case)', async () => {
    const request = await delivery(['date', 'digest'])
    expect(request.headers.digest).toBe(
      `SHA-256=${createHash('sha256').update(BODY).digest('base64')}`
    )
    await expect(verifyWebhook(request, AT)).resolves.toMatchObject({
      bodyCovered: true,
      components: ['date', 'digest'],
    })
    const lower = await delivery(['date', 'digest'], {
      digest: request.headers.digest!.replace('SHA-256', 'sha-256'),
    })
    await expect(verifyWebhook(lower, AT)).resolves.toMatchObject({ bodyCovered: true })
    await expectCode({ ...request, body: `${BODY} ` }, AT, 'BODY_DIGEST_MISMATCH', 'digest')
  })

  it('checks sha-512 content digests, and every supported algorithm present', async () => {
    const sha256 = createHash('sha256').update(BODY).digest('base64')
    const sha512 = createHash('sha512').update(BODY).digest('base64')
    const wrong512 = createHash('sha512').update('other').digest('base64')
    const only512 = await delivery(undefined, { 'content-digest': `sha-512=:${sha512}:` })
    await expect(verifyWebhook(only512, AT)).resolves.toMatchObject({ bodyCovered: true })
    const both = await delivery(undefined, {
      'content-digest': `sha-256=:${sha256}:, sha-512=:${sha512}:`,
    })
    await expect(verifyWebhook(both, AT)).resolves.toMatchObject({ bodyCovered: true })
    const withUnknown = await delivery(undefined, {
      'content-digest': `unixsum=:AAAA:, sha-256=:${sha256}:`,
    })
    await expect(verifyWebhook(withUnknown, AT)).resolves.toMatchObject({ bodyCovered: true })
    const oneWrong = await delivery(undefined, {
      'content-digest': `sha-256=:${sha256}:, sha-512=:${wrong512}:`,
    })
    await expectCode(oneWrong, AT, 'BODY_DIGEST_MISMATCH', 'content-digest')
  })

  it('does not care about a content-digest header the signature does not list', async () => {
    const request = await delivery(['date'])
    const headers = { ...request.headers, 'content-digest': 'sha-256=:AAAA:' }
    await expect(verifyWebhook({ ...request, headers }, AT)).resolves.toMatchObject({
      bodyCovered: false,
    })
    await expectCode(
      { ...request, headers },
      { ...AT, requireBodyDigest: true },
      'BODY_NOT_SIGNED',
      'signature-input'
    )
  })
})

describe('verifyWebhook key rotation', () => {
  it('reports which of several secrets matched', async () => {
    const request = await delivery()
    await expect(
      verifyWebhook(request, { ...AT, secret: ['new-secret', SECRET] })
    ).resolves.toMatchObject({
      secretIndex: 1,
    })
    await expect(
      verifyWebhook(request, { ...AT, secret: [SECRET, 'new-secret'] })
    ).resolves.toMatchObject({
      secretIndex: 0,
    })
    await expectCode(request, { ...AT, secret: ['a', 'b'] }, 'SIGNATURE_MISMATCH', 'signature')
  })
})

describe('verifyWebhook caller misuse', () => {
  it.each([
    ['an empty secret', { ...VECTOR_1 }, { secret: '' }],
    ['an empty secret list', { ...VECTOR_1 }, { secret: [] }],
    ['an empty secret in the list', { ...VECTOR_1 }, { secret: [SECRET, ''] }],
    ['no options', { ...VECTOR_1 }, undefined],
    ['a numeric body', { ...VECTOR_1, body: 42 }, AT],
    ['a parsed JSON body', { ...VECTOR_1, body: {} }, AT],
    ['no headers', { body: '{}' }, AT],
    ['a numeric header value', { ...VECTOR_1, headers: { ...VECTOR_1.headers, date: 5 } }, AT],
    ['a NaN now', { ...VECTOR_1 }, { secret: SECRET, now: Number.NaN }],
  ])('throws TypeError for %s', async (_, request, options) => {
    // @ts-expect-error deliberate misuse
    const error = await rejection(verifyWebhook(request, options))
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/^\[@up42-webhooks\/shared\] /)
  })
})

// Header names a verifier looks at, so arbitrary maps hit the interesting paths often.
const headerName = fc.oneof(
  fc.constantFrom(
    'signature',
    'signature-input',
    'date',
    'content-digest',
    'digest',
    'Signature',
    'SIGNATURE-INPUT'
  ),
  fc.stringMatching(/^[a-zA-Z0-9-]{1,12}$/)
)
const componentList = fc
  .array(
    fc.oneof(fc.constantFrom('date', 'content-digest', 'digest', '@method', ''), fc.string()),
    { maxLength: 4 }
  )
  .map((names) => `(${names.map((n) => JSON.stringify(n)).join(' ')})`)
const headerValue = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[ -~]{0,40}$/),
  fc
    .tuple(
      fc.constantFrom('up42-sig=', 'up42-sig=:', 'x=', ''),
      fc.base64String(),
      fc.constantFrom('', ':', '=')
    )
    .map((parts) => parts.join('')),
  fc
    .tuple(
      componentList,
      fc.constantFrom(';created=', ';keyid="a";created=', ';created=-', ';created='),
      fc.integer()
    )
    .map(([list, param, n]) => `up42-sig=${list}${param}${n}`),
  fc
    .tuple(
      fc.constantFrom('sha-256', 'sha-512', 'md5', 'SHA-256', 'x'),
      fc.constantFrom('=:', '=', ''),
      fc.base64String()
    )
    .map((parts) => parts.join(''))
)
const headerMap = fc.dictionary(
  headerName,
  fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
  {
    maxKeys: 8,
  }
)
const body = fc.oneof(fc.string(), fc.uint8Array({ maxLength: 300 }))

describe('verifyWebhook properties (fast-check)', () => {
  it('round-trips signWebhook output for random bodies, components and times', async () => {
    const extraName = fc.stringMatching(/^x-[a-z0-9-]{1,10}$/)
    const extraValue = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/)
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.uniqueArray(fc.oneof(fc.constantFrom('date', 'content-digest', 'digest'), extraName), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.dictionary(extraName, extraValue),
        fc.integer({ min: 1000, max: 4_000_000_000 }),
        fc.integer({ min: -30, max: 299 }),
        fc.string({ minLength: 1, maxLength: 100 }),
        async (payload, components, extraValues, created, age, secret) => {
          const headers: Record<string, string> = {}
          for (const name of components) {
            if (name.startsWith('x-')) headers[name] = extraValues[name] ?? 'value'
          }
          const signed = await signWebhook({ body: payload, secret, created, components, headers })
          const request = { headers: new Headers({ ...headers, ...signed }), body: payload }
          const result = await verifyWebhook(request, { secret, now: created + age })
          expect(result).toEqual({
            created,
            components,
            secretIndex: 0,
            bodyCovered: components.some((name) => name === 'content-digest' || name === 'digest'),
          })
        }
      ),
      { numRuns: 300 }
    )
  })

  it('only ever rejects with WebhookVerificationError for arbitrary header maps and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        headerMap,
        body,
        fc.boolean(),
        async (headers, payload, requireBodyDigest) => {
          const outcome = await verifyWebhook(
            { headers, body: payload },
            { secret: SECRET, now: CREATED, requireBodyDigest }
          ).then(
            () => undefined,
            (error: unknown) => error
          )
          // Resolving would need a forged HMAC; anything thrown must be a verification error.
          expect(outcome).toBeInstanceOf(WebhookVerificationError)
          expect(WEBHOOK_VERIFICATION_ERROR_CODES).toContain(
            (outcome as WebhookVerificationError).code
          )
        }
      ),
      { numRuns: 2000 }
    )
  })

  it('only ever rejects with WebhookVerificationError when one header of a valid delivery is mangled', async () => {
    const request = await delivery()
    const names = Object.keys(request.headers)
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.oneof(headerValue, fc.constant(undefined)),
        async (name, value) => {
          fc.pre(value !== request.headers[name])
          const headers = { ...request.headers, [name]: value }
          const outcome = await verifyWebhook({ ...request, headers }, AT).then(
            (result) => result,
            (error: unknown) => error
          )
          // content-type is not signed, so changing it must not matter; anything else must fail.
          if (name === 'content-type') expect(outcome).toMatchObject({ bodyCovered: true })
          else expect(outcome).toBeInstanceOf(WebhookVerificationError)
        }
      ),
      { numRuns: 1000 }
    )
  })
})
