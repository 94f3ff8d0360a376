import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signWebhook } from './sign-webhook.ts'

const SECRET = 'QWZTFnMEXhqZKNmu'
const CREATED = 1658759606

describe('signWebhook', () => {
  it('signs date and content-digest by default, generated from created and the body', async () => {
    const body = '{"event":"order.status"}'
    const headers = await signWebhook({ body, secret: SECRET, created: CREATED })
    const digest = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`
    const date = 'Mon, 25 Jul 2022 14:33:26 GMT'
    expect(headers).toEqual({
      date,
      'content-digest': digest,
      'signature-input': `up42-sig=("date" "content-digest");created=${CREATED}`,
      signature: `up42-sig=${createHmac('sha256', SECRET)
        .update(date + digest)
        .digest('base64')}`,
    })
  })

  it('uses supplied values (any key case) for listed headers and does not echo them back', async () => {
    const headers = await signWebhook({
      body: '',
      secret: SECRET,
      created: CREATED,
      components: ['X-Request-Id', 'date'],
      headers: { 'x-REQUEST-id': 'abc', Date: 'Tue, 01 Jan 2030 00:00:00 GMT' },
    })
    expect(headers['signature-input']).toBe(`up42-sig=("x-request-id" "date");created=${CREATED}`)
    expect(Object.keys(headers)).toEqual(['signature-input', 'signature'])
    expect(headers.signature).toBe(
      `up42-sig=${createHmac('sha256', SECRET).update('abcTue, 01 Jan 2030 00:00:00 GMT').digest('base64')}`
    )
  })

  it('generates an RFC 3230 digest when listed', async () => {
    const headers = await signWebhook({
      body: new Uint8Array([1, 2, 3]),
      secret: SECRET,
      created: 1,
      components: ['digest'],
    })
    expect(headers.digest).toBe(
      `SHA-256=${createHash('sha256')
        .update(new Uint8Array([1, 2, 3]))
        .digest('base64')}`
    )
  })

  it('defaults created to the clock', async () => {
    const before = Math.floor(Date.now() / 1000)
    const headers = await signWebhook({ body: '', secret: SECRET })
    const created = Number(/created=(\d+)/.exec(headers['signature-input']!)![1])
    expect(created).toBeGreaterThanOrEqual(before)
    expect(created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000))
  })

  it.each([
    ['an empty secret', { body: '', secret: '' }],
    ['a body that is an object', { body: {}, secret: SECRET }],
    ['a fractional created', { body: '', secret: SECRET, created: 1.5 }],
    ['a negative created', { body: '', secret: SECRET, created: -1 }],
    ['no components', { body: '', secret: SECRET, components: [] }],
    [
      'a component that is not a header name',
      { body: '', secret: SECRET, components: ['my header'] },
    ],
    ['a listed header with no value', { body: '', secret: SECRET, components: ['x-missing'] }],
    [
      'signing the signature header',
      { body: '', secret: SECRET, components: ['signature'], headers: { signature: 'x' } },
    ],
    [
      'a value HTTP would trim',
      { body: '', secret: SECRET, components: ['x-a'], headers: { 'x-a': ' padded ' } },
    ],
    [
      'a value with a line break',
      { body: '', secret: SECRET, components: ['x-a'], headers: { 'x-a': 'a\r\nb: c' } },
    ],
  ])('throws TypeError for %s', async (_, options) => {
    // @ts-expect-error deliberate misuse
    await expect(signWebhook(options)).rejects.toThrow(TypeError)
  })
})
