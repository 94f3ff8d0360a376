import { describe, expect, it } from 'vitest'
import { checkContentType } from './content-type.ts'
import { WebhookVerificationError } from './errors.ts'

describe('checkContentType', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/vnd.up42+json;charset="utf-8"',
    'text/plain;charset="a \\" b";;x=y',
    'multipart/form-data; boundary=x;',
    'text/plain \t;\t a=b',
  ])('accepts %s', (value) => {
    expect(() => checkContentType(value)).not.toThrow()
  })

  it.each([
    'application',
    'application/',
    '/json',
    'application/json/x',
    'application/json; =x',
    'application/json; a=',
    'application/json; a="b"c',
    'application/json ',
    'application/j\u00e9son',
  ])('rejects %s', (value) => {
    expect(() => checkContentType(value)).toThrow(WebhookVerificationError)
  })

  it('rejects long runs of separators without backtracking into a hang', () => {
    expect(() => checkContentType(`a/b${'; '.repeat(50_000)}"`)).toThrow(WebhookVerificationError)
    expect(() => checkContentType(`a/b; x="${'\\"'.repeat(50_000)}`)).toThrow(
      WebhookVerificationError
    )
  })
})
