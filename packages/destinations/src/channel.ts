/** How a notification travels; the first five are HTTP (Web APIs), the last two need Node. */
export type Channel = 'ntfy' | 'slack' | 'discord' | 'teams' | 'json' | 'desktop' | 'cmd'

/** The channels sent with `fetch`, available on every runtime (Pipedream included). */
export const HTTP_CHANNELS = ['ntfy', 'slack', 'discord', 'teams', 'json'] as const

export type HttpChannel = (typeof HTTP_CHANNELS)[number]

/** One place to tell a person, parsed from `NOTIFY` / `RECEIVER_NOTIFY` or the config file. */
export interface NotifyDestination {
  /** From the config file, else `<channel>`, `<channel>-2`, … in list order. */
  name: string
  channel: Channel
  /** The full URL (secrets included) or the command line. Never log it; log `display`. */
  target: string
  /** Safe to show: passwords, tokens, path secrets and `?auth=` / `?sig=` values masked. */
  display: string
}

export function isHttpChannel(channel: Channel): channel is HttpChannel {
  return (HTTP_CHANNELS as readonly string[]).includes(channel)
}

/** The accepted forms, for error messages and `--help`. */
export const ACCEPTED_FORMS = [
  'ntfy+https://host/topic (or ntfy+http://, or bare https://ntfy.sh/topic)',
  'slack+https://hooks.slack.com/services/… (or bare https://hooks.slack.com/…)',
  'discord+https://discord.com/api/webhooks/… (or bare discord.com / discordapp.com)',
  'teams+https://… (or bare https://….logic.azure.com / ….powerplatform.com)',
  'json+https://host/path (or json+http://)',
  'desktop:',
  'cmd:<command line>',
] as const
