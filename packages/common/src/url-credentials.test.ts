import { describe, expect, it } from 'vitest'
import { splitUrlCredentials, withoutUrlCredentials } from './url-credentials.ts'

describe('splitUrlCredentials', () => {
  it('takes out and decodes the user info', () => {
    const { url, username, password } = splitUrlCredentials(
      'https://re%20lay:p%C3%A4ss%3A@x.test/r'
    )
    expect(url.href).toBe('https://x.test/r')
    expect(username).toBe('re lay')
    expect(password).toBe('päss:')
  })

  it('gives undefined for absent parts', () => {
    expect(splitUrlCredentials('http://127.0.0.1:9888')).toMatchObject({
      username: undefined,
      password: undefined,
    })
    expect(splitUrlCredentials('http://u@127.0.0.1/')).toMatchObject({
      username: 'u',
      password: undefined,
    })
  })

  it('throws TypeError for a relative URL', () => {
    expect(() => splitUrlCredentials('/receive')).toThrow(TypeError)
  })
})

describe('withoutUrlCredentials', () => {
  it('drops user info', () => {
    expect(withoutUrlCredentials('https://u:secret@x.test/a?b=1')).toBe('https://x.test/a?b=1')
  })

  it('keeps a URL without user info as written', () => {
    expect(withoutUrlCredentials('https://x.test')).toBe('https://x.test')
  })

  it('gives an empty string for something that is not a URL', () => {
    expect(withoutUrlCredentials('//u:secret@x.test/relative')).toBe('')
  })
})
