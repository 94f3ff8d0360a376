import { describe, expect, it } from 'vitest'
import { parseNotifyTarget } from './parse-notify-target.ts'
import { maskSecrets, secretsOf } from './secrets.ts'

describe('display', () => {
  it.each([
    [
      'https://hooks.slack.com/services/T0001/B0002/SLACKSECRET',
      'https://hooks.slack.com/services/T0001/B0002/***',
    ],
    [
      'slack+http://127.0.0.1:9/services/T/B/SLACKSECRET',
      'slack+http://127.0.0.1:9/services/T/B/***',
    ],
    [
      'https://discord.com/api/webhooks/123/DISCORDSECRET',
      'https://discord.com/api/webhooks/123/***',
    ],
    [
      'https://discord.com/api/webhooks/123/DISCORDSECRET/slack',
      'https://discord.com/api/webhooks/123/***/slack',
    ],
    ['https://ntfy.sh/alerts?auth=tk_NTFYSECRET', 'https://ntfy.sh/alerts?auth=***'],
    [
      'ntfy+https://phil:NTFYPASS@ntfy.example.com/alerts',
      'ntfy+https://***@ntfy.example.com/alerts',
    ],
    [
      'ntfy+https://:tk_NTFYTOKEN@ntfy.example.com/alerts',
      'ntfy+https://***@ntfy.example.com/alerts',
    ],
    [
      'https://prod-1.westus.logic.azure.com/workflows/w/triggers/manual/paths/invoke?api-version=1&sig=TEAMSSIG',
      'https://prod-1.westus.logic.azure.com/workflows/w/triggers/manual/paths/invoke?api-version=1&sig=***',
    ],
    [
      'json+https://example.com/hook?token=JSONTOKEN&x=1',
      'json+https://example.com/hook?token=***&x=1',
    ],
    ['cmd:curl -H "Authorization: Bearer CMDSECRET" https://x', 'cmd:curl …'],
    ['cmd:notify-me', 'cmd:notify-me'],
    ['desktop:', 'desktop:'],
  ])('the display of %s is %s', (target, display) => {
    expect(parseNotifyTarget(target).display).toBe(display)
  })
})

describe('maskSecrets', () => {
  it('masks every secret of a target, raw and decoded, longest first', () => {
    const target = 'ntfy+https://phil:p%40ss@ntfy.example.com/alerts'
    const secrets = secretsOf('ntfy', target)
    expect(maskSecrets('user phil, password p@ss (p%40ss)', secrets)).toBe(
      'user ***, password *** (***)'
    )
  })

  it('masks Slack and Discord path tokens in an answer', () => {
    const slack = secretsOf('slack', 'https://hooks.slack.com/services/T1/B2/TOKEN123')
    expect(maskSecrets('no such hook: /services/T1/B2/TOKEN123', slack)).toBe(
      'no such hook: /services/T1/B2/***'
    )
    const discord = secretsOf('discord', 'https://discord.com/api/webhooks/9/TOKEN456')
    expect(maskSecrets('{"token":"TOKEN456"}', discord)).toBe('{"token":"***"}')
  })
})
