import { describe, expect, it } from 'vitest'
import { ConfigError } from './errors.ts'
import { resolveForwardConfig, resolveRelayConfig, resolveValidateConfig } from './config.ts'

const FULL_ENV = {
  UP42_WEBHOOK_SECRET: 's3cret',
  RECEIVER_URL: 'https://abc.ngrok.app/',
  RECEIVER_USER: 'relay',
  RECEIVER_PASSWORD: 'pw',
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('resolveRelayConfig', () => {
  it('reads the documented environment variables', () => {
    expect(resolveRelayConfig({}, FULL_ENV)).toMatchObject({
      secret: 's3cret',
      receiverUrl: 'https://abc.ngrok.app',
      username: 'relay',
      password: 'pw',
      statuses: undefined,
      budgetMs: 5_000,
    })
  })

  it('takes a changed variable on the next call, and fails again on a bad value after a good one', () => {
    const env: Record<string, string | undefined> = { ...FULL_ENV }
    expect(resolveForwardConfig({}, env).receiverUrl).toBe('https://abc.ngrok.app')
    env.RECEIVER_URL = 'https://def.ngrok.app/base/'
    env.FORWARD_BUDGET = '5s'
    expect(resolveForwardConfig({}, env)).toMatchObject({
      receiverUrl: 'https://def.ngrok.app/base',
      budgetMs: 5_000,
      pingTimeoutMs: 5_000,
    })
    expect(resolveForwardConfig({ receiverPassword: 'other' }, env).password).toBe('other')
    env.RECEIVER_URL = 'ftp://abc.ngrok.app'
    expect(configError(() => resolveForwardConfig({}, env)).message).toMatch(/must be an http/)
    expect(configError(() => resolveForwardConfig({}, env)).message).toMatch(/must be an http/)
  })

  it('still accepts the original article’s variable names', () => {
    const config = resolveRelayConfig(
      {},
      {
        up42_webhook_secret_zwei: 'zwei',
        up42_webhook_secret: 'eins',
        local_dev_host: 'https://old.ngrok.io',
        ngrok_basic_auth_user: 'u',
        ngrok_basic_auth_pass: 'p',
      }
    )
    expect(config).toMatchObject({
      secret: 'zwei',
      receiverUrl: 'https://old.ngrok.io',
      username: 'u',
      password: 'p',
    })
    expect(resolveValidateConfig({}, { up42_webhook_secret: 'eins' }).secret).toBe('eins')
  })

  it('prefers props over new names over original names', () => {
    const env = { ...FULL_ENV, up42_webhook_secret_zwei: 'old' }
    expect(resolveValidateConfig({}, env).secret).toBe('s3cret')
    expect(resolveValidateConfig({ secret: 'from-prop' }, env).secret).toBe('from-prop')
    expect(resolveValidateConfig({ secret: '  ' }, env).secret).toBe('s3cret')
  })

  it('parses NOTIFIABLE_STATUSES', () => {
    expect(
      resolveValidateConfig({}, { ...FULL_ENV, NOTIFIABLE_STATUSES: 'failed, FULFILLED' }).statuses
    ).toEqual(['FAILED', 'FULFILLED'])
    expect(
      configError(() => resolveValidateConfig({}, { ...FULL_ENV, NOTIFIABLE_STATUSES: ' , ' }))
        .variable
    ).toBe('NOTIFIABLE_STATUSES')
  })

  it.each([
    ['UP42_WEBHOOK_SECRET', /up42_webhook_secret_zwei/],
    ['RECEIVER_URL', /local_dev_host/],
    ['RECEIVER_USER', /ngrok_basic_auth_user/],
    ['RECEIVER_PASSWORD', /ngrok_basic_auth_pass/],
  ])('names %s (and its old alias) when it is missing', (name, alias) => {
    const env: Record<string, string> = { ...FULL_ENV }
    delete env[name]
    const error = configError(() => resolveRelayConfig({}, env))
    expect(error.variable).toBe(name)
    expect(error.code).toBe('MISSING')
    expect(error.message).toContain(name)
    expect(error.message).toMatch(alias)
  })

  it('never echoes a value in a config error', () => {
    const bad = 'not a url with p4ssw0rd'
    const error = configError(() => resolveForwardConfig({}, { ...FULL_ENV, RECEIVER_URL: bad }))
    expect(error.variable).toBe('RECEIVER_URL')
    expect(`${error.message} ${error.stack}`).not.toContain('p4ssw0rd')
    const ftp = configError(() =>
      resolveForwardConfig({}, { ...FULL_ENV, RECEIVER_URL: 'ftp://u:p4ssw0rd@x' })
    )
    expect(`${ftp.message} ${ftp.stack}`).not.toContain('p4ssw0rd')
  })

  it('moves credentials from the URL into username/password and strips query and slash', () => {
    const config = resolveForwardConfig(
      {},
      { RECEIVER_URL: 'https://us%40r:p%3Ass@abc.ngrok.app/base/?token=x' }
    )
    expect(config).toMatchObject({
      receiverUrl: 'https://abc.ngrok.app/base',
      username: 'us@r',
      password: 'p:ss',
    })
  })

  it('refuses URL credentials basic auth cannot carry, without echoing them', () => {
    const badEscape = configError(() =>
      resolveForwardConfig({}, { RECEIVER_URL: 'https://relay:p%zzw0rd@abc.ngrok.app' })
    )
    expect(badEscape.variable).toBe('RECEIVER_URL')
    expect(badEscape.message).not.toContain('p%zzw0rd')
    const colon = configError(() =>
      resolveForwardConfig({}, { RECEIVER_URL: 'https://re%3Alay:p4ssw0rd@abc.ngrok.app' })
    )
    expect(colon.variable).toBe('RECEIVER_USER')
    expect(`${colon.message} ${colon.stack}`).not.toContain('p4ssw0rd')
  })

  it('reads the in-step budget and caps the per-request timeouts by it', () => {
    const config = resolveForwardConfig({ budget: '3s' }, FULL_ENV)
    expect(config).toMatchObject({ budgetMs: 3000, pingTimeoutMs: 3000, requestTimeoutMs: 3000 })
    expect(
      configError(() => resolveForwardConfig({}, { ...FULL_ENV, FORWARD_BUDGET: 'soon' })).variable
    ).toBe('FORWARD_BUDGET')
  })
})

describe('resolveValidateConfig requireBodyDigest', () => {
  it('is off by default and reads REQUIRE_BODY_DIGEST, a boolean prop winning', () => {
    expect(resolveValidateConfig({}, FULL_ENV).requireBodyDigest).toBe(false)
    for (const value of ['1', 'true', 'YES', 'on'])
      expect(
        resolveValidateConfig({}, { ...FULL_ENV, REQUIRE_BODY_DIGEST: value }).requireBodyDigest
      ).toBe(true)
    for (const value of ['0', 'false', 'no', 'off', ''])
      expect(
        resolveValidateConfig({}, { ...FULL_ENV, REQUIRE_BODY_DIGEST: value }).requireBodyDigest
      ).toBe(false)
    const on = { ...FULL_ENV, REQUIRE_BODY_DIGEST: '1' }
    expect(resolveValidateConfig({ requireBodyDigest: false }, on).requireBodyDigest).toBe(false)
    expect(resolveValidateConfig({ requireBodyDigest: true }, FULL_ENV).requireBodyDigest).toBe(
      true
    )
    expect(resolveValidateConfig({ requireBodyDigest: '1' }, FULL_ENV).requireBodyDigest).toBe(true)
    expect(resolveRelayConfig({}, on).requireBodyDigest).toBe(true)
  })

  it('names the variable or prop for a value that is not a boolean', () => {
    const error = configError(() =>
      resolveValidateConfig({}, { ...FULL_ENV, REQUIRE_BODY_DIGEST: 'maybe' })
    )
    expect(error.variable).toBe('REQUIRE_BODY_DIGEST')
    expect(error.message).toMatch(/^REQUIRE_BODY_DIGEST must be one of 1\/0, true\/false/)
    expect(
      configError(() => resolveValidateConfig({ requireBodyDigest: 'x' }, FULL_ENV)).message
    ).toMatch(/^prop requireBodyDigest must be/)
  })
})

describe('resolveForwardConfig FORWARD_BUDGET', () => {
  it('refuses a zero budget', () => {
    expect(
      configError(() => resolveForwardConfig({}, { ...FULL_ENV, FORWARD_BUDGET: '0ms' })).variable
    ).toBe('FORWARD_BUDGET')
  })
})
