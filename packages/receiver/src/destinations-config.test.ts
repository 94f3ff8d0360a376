import { describe, expect, it } from 'vitest'
import { readReceiverConfig } from './config.ts'
import { DEFAULT_NOTIFY_STATUSES, readDestinationsConfig } from './destinations-config.ts'
import { ConfigError } from './errors.ts'

function configError(read: () => unknown): ConfigError {
  try {
    read()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

const SLACK = 'slack+https://hooks.slack.com/services/T000/B000/SeCrEtToKeN'

describe('readDestinationsConfig', () => {
  it('reads RECEIVER_NOTIFY and RECEIVER_FORWARD_TO with the default filters and retry settings', () => {
    const config = readDestinationsConfig({
      RECEIVER_NOTIFY: `ntfy+https://ntfy.sh/my-topic, ${SLACK}`,
      RECEIVER_FORWARD_TO: 'http://user:pw@localhost:3000/hook?token=abc',
      RECEIVER_RETRY_SCHEDULE: '200ms,1s 5s',
      RECEIVER_RETRY_MAX_AGE: '2m',
      RECEIVER_PUBLIC_URL: 'https://receiver.example.com/',
    })
    expect(config.destinations.map((d) => [d.name, d.kind])).toEqual([
      ['ntfy', 'notify'],
      ['slack', 'notify'],
      ['forward', 'forward'],
    ])
    expect(config.destinations[0]!.filter).toEqual({
      events: ['job.status', 'order.status'],
      statuses: [...DEFAULT_NOTIFY_STATUSES],
    })
    expect(DEFAULT_NOTIFY_STATUSES).toEqual([
      'ERROR',
      'FAILED',
      'CANCELLED',
      'SUCCEEDED',
      'FULFILLED',
      'FAILED_PERMANENTLY',
    ])
    expect(config.destinations[2]!.filter).toEqual({})
    expect(config.destinations.map((d) => d.display).join(' ')).not.toMatch(/SeCrEtToKeN|pw|abc/)
    expect(config.destinations[2]!.display).toBe('http://***@localhost:3000/hook?token=***')
    expect(config).toMatchObject({
      retryScheduleMs: [200, 1000, 5000],
      retryMaxAgeMs: 120_000,
      publicUrl: 'https://receiver.example.com',
    })
  })

  it('takes repeatable flags over the variables, and RECEIVER_NOTIFY_STATUSES / LIVE_ONLY into the filter', () => {
    const config = readReceiverConfig(
      {
        RECEIVER_NOTIFY: 'desktop:',
        RECEIVER_NOTIFY_STATUSES: 'failed, fulfilled',
        RECEIVER_NOTIFY_LIVE_ONLY: '1',
        UP42_WEBHOOK_SECRET: 's',
      },
      [
        '--notify',
        'json+http://127.0.0.1:1/a',
        '--notify',
        'json+http://127.0.0.1:1/b',
        '--forward-to',
        'http://127.0.0.1:2/',
        '--forward-mode',
        'resign',
      ]
    ).destinations
    expect(config.destinations.map((d) => d.name)).toEqual(['json', 'json-2', 'forward'])
    expect(config.destinations[0]!.filter).toEqual({
      events: ['job.status', 'order.status'],
      statuses: ['FAILED', 'FULFILLED'],
      liveMode: true,
    })
    expect(config.destinations[2]).toMatchObject({ kind: 'forward', mode: 'resign' })
  })

  it('reads names, filters and digest windows from the RECEIVER_CONFIG file', () => {
    const file = JSON.stringify({
      notify: [
        {
          name: 'phone',
          url: 'ntfy+https://ntfy.sh/t',
          filter: { statuses: ['FAILED'], jobIds: ['j1'] },
          digestWindow: '30s',
        },
      ],
      forwardTo: [
        { name: 'app', url: 'http://localhost:3000/', mode: 'raw', filter: { liveMode: false } },
      ],
    })
    const config = readDestinationsConfig(
      { RECEIVER_CONFIG: '/etc/r.json' },
      {},
      { readFile: () => file }
    )
    expect(config.destinations).toMatchObject([
      {
        name: 'phone',
        kind: 'notify',
        digestWindowMs: 30_000,
        filter: { events: ['job.status', 'order.status'], statuses: ['FAILED'], jobIds: ['j1'] },
      },
      { name: 'app', kind: 'forward', mode: 'raw', filter: { liveMode: false } },
    ])
  })

  it.each([
    [{ RECEIVER_NOTIFY: 'https://example.com/SeCrEt' }, 'RECEIVER_NOTIFY', /Accepted forms/],
    [{ RECEIVER_NOTIFY: 'mailto:me@example.com' }, 'RECEIVER_NOTIFY', /Accepted forms/],
    [
      { RECEIVER_FORWARD_TO: 'ftp://u:SeCrEt@h/' },
      'RECEIVER_FORWARD_TO',
      /http:\/\/ or https:\/\//,
    ],
    [{ RECEIVER_FORWARD_TO: 'not a url SeCrEt' }, 'RECEIVER_FORWARD_TO', /accepted: an http/],
    [{ RECEIVER_FORWARD_MODE: 'both' }, 'RECEIVER_FORWARD_MODE', /raw or resign/],
    [
      { RECEIVER_FORWARD_TO: 'http://localhost/', RECEIVER_FORWARD_MODE: 'resign' },
      'UP42_WEBHOOK_SECRET',
      /resign needs/,
    ],
    [{ RECEIVER_RETRY_SCHEDULE: '10s,soon' }, 'RECEIVER_RETRY_SCHEDULE', /200ms,1s,5s/],
    [{ RECEIVER_RETRY_MAX_AGE: '0s' }, 'RECEIVER_RETRY_MAX_AGE', /durations like/],
    [{ RECEIVER_NOTIFY_STATUSES: 'FAILED;DROP' }, 'RECEIVER_NOTIFY_STATUSES', /status names/],
    [{ RECEIVER_NOTIFY_LIVE_ONLY: 'maybe' }, 'RECEIVER_NOTIFY_LIVE_ONLY', /1 or 0/],
    [{ RECEIVER_PUBLIC_URL: 'https://u:SeCrEt@x/' }, 'RECEIVER_PUBLIC_URL', /user or password/],
    [
      { RECEIVER_CONFIG: '/no/such/file.json' },
      'RECEIVER_CONFIG',
      /cannot read \/no\/such\/file.json \(ENOENT\)/,
    ],
  ])('refuses %j naming %s and never the secret', (env, key, message) => {
    const error = configError(() =>
      readDestinationsConfig(
        env,
        {},
        {
          readFile: () => {
            throw Object.assign(new Error('nope'), { code: 'ENOENT' })
          },
        }
      )
    )
    expect(error.key).toBe(key)
    expect(error.message).toMatch(message)
    expect(error.message).not.toMatch(/SeCrEt/)
  })

  it('refuses a bad config file with the expected form, and two destinations of one name', () => {
    const read = (text: string) =>
      configError(() =>
        readDestinationsConfig({ RECEIVER_CONFIG: 'c.json' }, {}, { readFile: () => text })
      )
    expect(read('{').message).toMatch(/RECEIVER_CONFIG: not JSON\. Expected JSON like/)
    expect(read('{"notfy": []}').message).toMatch(/unknown key "notfy"/)
    expect(read('{"notify": [{"url": "desktop:", "filter": {"status": []}}]}').message).toMatch(
      /unknown key "status"/
    )
    const twice = configError(() =>
      readDestinationsConfig(
        { RECEIVER_NOTIFY: 'desktop:', RECEIVER_CONFIG: 'c.json' },
        {},
        { readFile: () => '{"notify": [{"url": "desktop:"}]}' }
      )
    )
    expect(twice.message).toMatch(/two destinations are named "desktop"/)
  })
})
