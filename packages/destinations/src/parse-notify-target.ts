import { ACCEPTED_FORMS, type Channel, type NotifyDestination } from './channel.ts'
import { DestinationConfigError } from './destination-config-error.ts'
import { displayOf } from './secrets.ts'

export interface ParseNotifyTargetOptions {
  /** The variable, flag or prop the value came from, for the error message. Default `NOTIFY`. */
  variable?: string
  /** The destination's name. Default: the channel. */
  name?: string
  /**
   * Whether `desktop:` and `cmd:` are accepted. Default `true`; `false` where they cannot run
   * (a Pipedream step), which refuses them with an error saying where they do run.
   */
  allowLocal?: boolean
}

const PREFIXED = /^(ntfy|slack|discord|teams|json)\+(.*)$/is

/**
 * Parses one notification target: `ntfy+https://host/topic`, `slack+https://…`,
 * `discord+https://…`, `teams+https://…`, `json+https://…` (each also with `http://`; Slack,
 * Discord and Teams only to a loopback host, for tests and local stand-ins), a bare URL of a
 * known host (ntfy.sh, hooks.slack.com, discord.com / discordapp.com, *.logic.azure.com,
 * *.powerplatform.com), `desktop:` or `cmd:<command line>`.
 *
 * @throws {DestinationConfigError} naming `options.variable` and the accepted forms; the message
 *   shows at most the entry's scheme and host, never its user info, path or query.
 */
export function parseNotifyTarget(
  value: string,
  options: ParseNotifyTargetOptions = {}
): NotifyDestination {
  const variable = options.variable ?? 'NOTIFY'
  const target = value.trim()
  const fail = (reason: string): never => {
    throw new DestinationConfigError(
      `${variable}: ${reason}. Accepted forms: ${ACCEPTED_FORMS.join('; ')}`,
      { variable }
    )
  }
  const make = (channel: Channel): NotifyDestination => {
    if ((channel === 'desktop' || channel === 'cmd') && options.allowLocal === false) {
      fail(
        `${channel}: runs on the machine that sends it, so it is accepted by the local relay and the receiver, not here (use ntfy, Slack, Discord, Teams or json)`
      )
    }
    return { name: options.name ?? channel, channel, target, display: displayOf(channel, target) }
  }

  if (target === '') return fail('an entry is empty')
  if (/^desktop:$/i.test(target)) return make('desktop')
  if (/^desktop:/i.test(target)) return fail('desktop: takes nothing after the colon')
  if (/^cmd:/i.test(target)) {
    if (target.slice(4).trim() === '') return fail('cmd: needs a command line after the colon')
    return make('cmd')
  }

  const prefixed = PREFIXED.exec(target)
  if (prefixed) {
    const channel = prefixed[1]!.toLowerCase() as Channel
    const url = parseUrl(prefixed[2]!, fail, `${channel}+`)
    if (url.protocol === 'http:' && !['ntfy', 'json'].includes(channel) && !isLoopback(url)) {
      fail(
        `${channel}+http:// is accepted for a loopback host only (got ${safeOrigin(url)}); ${channel} webhooks are HTTPS`
      )
    }
    checkChannelUrl(channel, url, fail)
    return make(channel)
  }

  const url = parseUrl(target, fail, '')
  if (url.protocol !== 'https:') {
    fail(`a bare ${url.protocol}// URL names no channel (got ${safeOrigin(url)}); add a prefix`)
  }
  const channel = channelOfHost(url.hostname)
  if (channel === undefined) {
    fail(
      `${safeOrigin(url)} is no known notification host; for any other server write json+https://…`
    )
  }
  checkChannelUrl(channel!, url, fail)
  return make(channel!)
}

/** The channel a bare `https://` URL belongs to, from its host alone. */
export function channelOfHost(hostname: string): Channel | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  if (host === 'ntfy.sh') return 'ntfy'
  if (host === 'hooks.slack.com') return 'slack'
  if (['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com'].includes(host)) {
    return 'discord'
  }
  if (host.endsWith('.logic.azure.com') || host.endsWith('.powerplatform.com')) return 'teams'
  return undefined
}

function checkChannelUrl(channel: Channel, url: URL, fail: (reason: string) => never): void {
  if (channel === 'ntfy' && url.pathname.split('/').filter(Boolean).length !== 1) {
    fail(`an ntfy URL names one topic: ntfy+https://host/<topic> (got ${safeOrigin(url)}/…)`)
  }
  if (channel === 'discord' && channelOfHost(url.hostname) === 'discord') {
    if (!/^\/api(\/v\d+)?\/webhooks\/[^/]+\/[^/]+/.test(url.pathname)) {
      fail(`a Discord webhook URL is https://discord.com/api/webhooks/<id>/<token>`)
    }
  }
  if (channel === 'slack' && url.hostname.toLowerCase() === 'hooks.slack.com') {
    if (!url.pathname.startsWith('/services/')) {
      fail(`a Slack incoming webhook URL is https://hooks.slack.com/services/…`)
    }
  }
}

function parseUrl(text: string, fail: (reason: string) => never, prefix: string): URL {
  if (!URL.canParse(text)) {
    return fail(`${describe(prefix, text)} is not a URL`)
  }
  const url = new URL(text)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`${describe(prefix, text)} is not an http:// or https:// URL`)
  }
  return url
}

/** `https://host:port`, the only part of a bad entry an error may show. */
function safeOrigin(url: URL): string {
  return `${url.protocol}//${url.host}`
}

/**
 * A short, secret-free description of an entry that is no http(s) URL: its scheme when it is
 * followed by `//` (so `token:…` or `user:password` never shows), else only its length.
 */
function describe(prefix: string, text: string): string {
  const scheme = /^[a-z][a-z0-9+.-]{0,20}:(?=\/\/)/i.exec(text)?.[0]
  return scheme !== undefined
    ? `an entry starting ${prefix}${scheme}`
    : `an entry of ${text.length} characters`
}

function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase()
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
