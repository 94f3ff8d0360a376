import { describe, expect, it } from 'vitest'
import { DestinationConfigError } from './destination-config-error.ts'
import { channelOfHost, parseNotifyTarget } from './parse-notify-target.ts'
import { parseNotifyList, splitNotifyList } from './parse-notify-list.ts'

const SLACK = 'https://hooks.slack.com/services/T0001/B0002/SLACKSECRETTOKEN123'
const DISCORD = 'https://discord.com/api/webhooks/123456789/DISCORDSECRETTOKEN456'
const TEAMS =
  'https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=TEAMSSECRETSIG789'

function errorOf(run: () => unknown): DestinationConfigError {
  try {
    run()
  } catch (error) {
    if (error instanceof DestinationConfigError) return error
    throw error
  }
  throw new Error('expected a DestinationConfigError')
}

describe('parseNotifyTarget', () => {
  it.each([
    ['ntfy+https://ntfy.example.com/alerts', 'ntfy'],
    ['ntfy+http://ntfy.lan:8080/alerts', 'ntfy'],
    ['https://ntfy.sh/my-topic', 'ntfy'],
    [`slack+${SLACK}`, 'slack'],
    [SLACK, 'slack'],
    [`discord+${DISCORD}`, 'discord'],
    [DISCORD, 'discord'],
    ['https://discordapp.com/api/webhooks/1/abc', 'discord'],
    [`teams+${TEAMS}`, 'teams'],
    [TEAMS, 'teams'],
    [
      'https://default0a1b.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/x/triggers/manual/paths/invoke?sig=s',
      'teams',
    ],
    ['json+https://example.com/hook', 'json'],
    ['json+http://example.com/hook', 'json'],
    ['desktop:', 'desktop'],
    ['cmd:notify-me --loud', 'cmd'],
    ['  SLACK+http://127.0.0.1:9/services/a/b/c  ', 'slack'],
  ])('parseNotifyTarget(%j) is a %s destination', (value, channel) => {
    const destination = parseNotifyTarget(value)
    expect(destination.channel).toBe(channel)
    expect(destination.name).toBe(channel)
    expect(destination.target).toBe(value.trim())
  })

  it('takes the name from options', () => {
    expect(parseNotifyTarget('desktop:', { name: 'laptop' }).name).toBe('laptop')
  })

  it.each([
    'slack+http://127.0.0.1:8080/services/a/b/c',
    'discord+http://localhost:8080/api/webhooks/1/t',
    'teams+http://[::1]:8080/workflows/x',
  ])('accepts http:// for Slack, Discord and Teams on loopback: %s', (value) => {
    expect(() => parseNotifyTarget(value)).not.toThrow()
  })

  it.each([
    'slack+http://hooks.slack.com/services/a/b/c',
    'discord+http://10.0.0.5/api/webhooks/1/t',
    'teams+http://example.com/workflows/x',
  ])('refuses http:// for Slack, Discord and Teams off loopback: %s', (value) => {
    const error = errorOf(() => parseNotifyTarget(value, { variable: 'RECEIVER_NOTIFY' }))
    expect(error.message).toMatch(/^RECEIVER_NOTIFY: .*loopback host only/)
  })

  it('names the variable, the code and every accepted form', () => {
    const error = errorOf(() => parseNotifyTarget('smtp://mail', { variable: 'RECEIVER_NOTIFY' }))
    expect(error.code).toBe('INVALID_DESTINATION')
    expect(error.variable).toBe('RECEIVER_NOTIFY')
    expect(error.name).toBe('DestinationConfigError')
    for (const form of ['ntfy+https://', 'slack+https://', 'discord+https://', 'teams+https://']) {
      expect(error.message).toContain(form)
    }
    expect(error.message).toContain('json+https://host/path')
    expect(error.message).toContain('desktop:')
    expect(error.message).toContain('cmd:<command line>')
  })

  it.each([
    ['https://user:hunter2@example.com/hook?auth=tk_verysecret', 'hunter2', 'tk_verysecret'],
    ['https://example.com/services/T1/B2/SECRETPATHTOKEN', 'SECRETPATHTOKEN', 'T1'],
    [
      'http://example.com/mytopic1?auth=QmVhcmVyIHRrX3NlY3JldA',
      'QmVhcmVyIHRrX3NlY3JldA',
      'mytopic1',
    ],
    ['ftp://user:hunter2@ntfy.sh/mytopic1', 'hunter2', 'mytopic1'],
    ['mytoken:hunter2', 'hunter2', 'mytoken'],
    ['ntfy+https://ntfy.sh/a/b?auth=tk_secret', 'tk_secret', '/a/b'],
    ['gibberish hunter2', 'hunter2', 'gibberish'],
  ])('never shows user info, path or query of a bad entry: %s', (value, secret, alsoHidden) => {
    const error = errorOf(() => parseNotifyTarget(value))
    expect(error.message).not.toContain(secret)
    expect(error.message).not.toContain(alsoHidden)
  })

  it('says what is wrong with a bare URL of an unknown host', () => {
    const error = errorOf(() => parseNotifyTarget('https://example.com/hook'))
    expect(error.message).toContain('https://example.com is no known notification host')
    expect(error.message).toContain('json+https://')
  })

  it.each([
    ['https://ntfy.sh/', /one topic/],
    ['https://hooks.slack.com/workflows/x', /hooks\.slack\.com\/services/],
    ['https://discord.com/channels/1/2', /api\/webhooks/],
    ['http://ntfy.sh/topic', /bare http:\/\/ URL names no channel/],
    ['', /empty/],
    ['desktop:now', /nothing after the colon/],
    ['cmd:   ', /needs a command line/],
    ['json+mailto:me@example.com', /not an http:\/\/ or https:\/\/ URL/],
  ])('refuses %j', (value, message) => {
    expect(errorOf(() => parseNotifyTarget(value)).message).toMatch(message)
  })

  it('refuses desktop: and cmd: with allowLocal: false, saying where they run', () => {
    for (const value of ['desktop:', 'cmd:echo hi']) {
      const error = errorOf(() =>
        parseNotifyTarget(value, { allowLocal: false, variable: 'NOTIFY' })
      )
      expect(error.message).toMatch(/^NOTIFY: (desktop|cmd): runs on the machine that sends it/)
      expect(error.message).toContain('local relay')
    }
  })
})

describe('channelOfHost', () => {
  it.each([
    ['ntfy.sh', 'ntfy'],
    ['NTFY.SH.', 'ntfy'],
    ['hooks.slack.com', 'slack'],
    ['discord.com', 'discord'],
    ['discordapp.com', 'discord'],
    ['prod-01.westus.logic.azure.com', 'teams'],
    ['x.environment.api.powerplatform.com', 'teams'],
    ['logic.azure.com.example.com', undefined],
    ['evilntfy.sh', undefined],
    ['slack.com', undefined],
  ])('channelOfHost(%j) is %s', (host, channel) => {
    expect(channelOfHost(host)).toBe(channel)
  })
})

describe('parseNotifyList', () => {
  it('splits on commas and white space and numbers repeated channels', () => {
    const list = parseNotifyList(
      ' https://ntfy.sh/a,https://ntfy.sh/b  json+https://example.com/x ,, desktop: ',
      { variable: 'NOTIFY' }
    )
    expect(list.map((d) => [d.name, d.target])).toEqual([
      ['ntfy', 'https://ntfy.sh/a'],
      ['ntfy-2', 'https://ntfy.sh/b'],
      ['json', 'json+https://example.com/x'],
      ['desktop', 'desktop:'],
    ])
  })

  it('keeps spaces and commas inside a cmd: entry, up to the next entry', () => {
    expect(
      splitNotifyList('cmd:notify --title "a, b" --loud, https://ntfy.sh/t cmd:logger -t up42')
    ).toEqual(['cmd:notify --title "a, b" --loud', 'https://ntfy.sh/t', 'cmd:logger -t up42'])
  })

  it('gives [] for an empty or blank value', () => {
    expect(parseNotifyList(undefined, { variable: 'NOTIFY' })).toEqual([])
    expect(parseNotifyList(' , ', { variable: 'NOTIFY' })).toEqual([])
  })

  it('rejects a stray word with the variable named', () => {
    const error = errorOf(() =>
      parseNotifyList('https://ntfy.sh/t oops', { variable: 'RECEIVER_NOTIFY' })
    )
    expect(error.variable).toBe('RECEIVER_NOTIFY')
    expect(error.message).not.toContain('oops')
  })
})
