import { parseArgs, type ParseArgsConfig } from 'node:util'
import {
  KNOWN_WEBHOOK_EVENTS,
  parseEventList,
  validateWebhookInput,
  WebhookInputError,
  type CreateWebhookInput,
  type WebhookPatch,
} from '../client/index.ts'
import { UsageError } from './errors.ts'

export interface OutputFlags {
  json: boolean
  showSecret: boolean
}

export type Command = OutputFlags &
  (
    | { name: 'help'; topic: CommandName | undefined }
    | { name: 'events' }
    | { name: 'list' }
    | { name: 'get'; id: string }
    | { name: 'delete'; id: string }
    | { name: 'test'; id: string }
    | { name: 'create'; input: CreateWebhookInput; generateSecret: boolean }
    | { name: 'update'; id: string; patch: WebhookPatch; generateSecret: boolean }
    | {
        name: 'point'
        id: string
        url: string
        receiverUrl: string | undefined
        waitSeconds: number
      }
  )

const COMMAND_NAMES = [
  'events',
  'list',
  'get',
  'create',
  'update',
  'delete',
  'test',
  'point',
] as const
export type CommandName = (typeof COMMAND_NAMES)[number]

type Options = NonNullable<ParseArgsConfig['options']>

const OUTPUT_OPTIONS = {
  json: { type: 'boolean' },
  'show-secret': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options

const WEBHOOK_OPTIONS = {
  name: { type: 'string' },
  url: { type: 'string' },
  events: { type: 'string', multiple: true },
  secret: { type: 'string' },
  'generate-secret': { type: 'boolean' },
  active: { type: 'boolean' },
} satisfies Options

const SPECS: Record<CommandName, { options: Options; id: boolean }> = {
  events: { options: {}, id: false },
  list: { options: {}, id: false },
  get: { options: {}, id: true },
  delete: { options: {}, id: true },
  test: { options: {}, id: true },
  create: { options: WEBHOOK_OPTIONS, id: false },
  update: { options: { ...WEBHOOK_OPTIONS, inactive: { type: 'boolean' } }, id: true },
  point: {
    options: { url: { type: 'string' }, receiver: { type: 'string' }, wait: { type: 'string' } },
    id: true,
  },
}

export const DEFAULT_WAIT_SECONDS = 15
const MAX_WAIT_SECONDS = 600

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>

/**
 * Turns argv (without node and script) into a {@link Command}, validating the webhook input
 * before anything is sent. Throws {@link UsageError}.
 */
export function parseCommand(argv: readonly string[]): Command {
  // `pnpm up42 -- list` may pass the separator through.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv]
  const [first, ...rest] = args
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const topic = first === 'help' ? rest[0] : undefined
    if (topic !== undefined && !isCommandName(topic)) throw unknownCommand(topic)
    return { name: 'help', topic, json: false, showSecret: false }
  }
  if (!isCommandName(first)) throw unknownCommand(first)
  const name = first
  const spec = SPECS[name]
  let parsed: { values: Values; positionals: string[] }
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...OUTPUT_OPTIONS, ...spec.options },
      allowPositionals: true,
      strict: true,
    }) as { values: Values; positionals: string[] }
  } catch (cause) {
    throw new UsageError((cause as Error).message, { code: 'INVALID_OPTION', command: name, cause })
  }
  const { values, positionals } = parsed
  const flags: OutputFlags = {
    json: values.json === true,
    showSecret: values['show-secret'] === true,
  }
  if (values.help === true) return { name: 'help', topic: name, ...flags }

  const expected = spec.id ? 1 : 0
  if (positionals.length < expected) {
    throw new UsageError(`${name} needs a webhook id`, { code: 'MISSING_ARGUMENT', command: name })
  }
  if (positionals.length > expected) {
    throw new UsageError(`unexpected argument "${positionals[expected]}"`, {
      code: 'INVALID_OPTION',
      command: name,
    })
  }
  const id = positionals[0] ?? ''

  switch (name) {
    case 'events':
    case 'list':
      return { name, ...flags }
    case 'get':
    case 'delete':
    case 'test':
      return { name, id, ...flags }
    case 'create':
      return { name, ...readCreate(values), ...flags }
    case 'update':
      return { name, id, ...readUpdate(values), ...flags }
    case 'point':
      return { name, id, ...readPoint(values), ...flags }
  }
}

function readCreate(values: Values): { input: CreateWebhookInput; generateSecret: boolean } {
  for (const key of ['name', 'url', 'events'] as const) {
    if (values[key] === undefined) {
      throw new UsageError(`create needs --${key}`, { code: 'MISSING_OPTION', command: 'create' })
    }
  }
  const { secret, generateSecret } = readSecret(values, 'create')
  const input: CreateWebhookInput = {
    name: String(values.name),
    url: String(values.url),
    events: readEvents(values),
    active: values.active === true,
    ...(secret === undefined ? {} : { secret }),
  }
  validate(input, 'create')
  return { input, generateSecret }
}

function readUpdate(values: Values): { patch: WebhookPatch; generateSecret: boolean } {
  if (values.active === true && values.inactive === true) {
    throw new UsageError('--active and --inactive exclude each other', {
      code: 'CONFLICTING_OPTIONS',
      command: 'update',
    })
  }
  const { secret, generateSecret } = readSecret(values, 'update')
  const patch: WebhookPatch = {}
  if (typeof values.name === 'string') patch.name = values.name
  if (typeof values.url === 'string') patch.url = values.url
  if (values.events !== undefined) patch.events = readEvents(values)
  if (secret !== undefined) patch.secret = secret
  if (values.active === true) patch.active = true
  if (values.inactive === true) patch.active = false
  if (Object.keys(patch).length === 0 && !generateSecret) {
    throw new UsageError(
      'nothing to update: pass --name, --url, --events, --secret, --generate-secret, --active or --inactive',
      { code: 'NOTHING_TO_DO', command: 'update' }
    )
  }
  validate(patch, 'update')
  return { patch, generateSecret }
}

function readPoint(values: Values) {
  if (typeof values.url !== 'string') {
    throw new UsageError('point needs --url <https tunnel url>', {
      code: 'MISSING_OPTION',
      command: 'point',
    })
  }
  validate({ url: values.url }, 'point')
  let waitSeconds = DEFAULT_WAIT_SECONDS
  if (typeof values.wait === 'string') {
    waitSeconds = Number(values.wait)
    if (!/^\d+(\.\d+)?$/.test(values.wait) || waitSeconds > MAX_WAIT_SECONDS) {
      throw new UsageError(`--wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`, {
        code: 'INVALID_VALUE',
        command: 'point',
      })
    }
  }
  const receiverUrl = typeof values.receiver === 'string' ? values.receiver : undefined
  if (receiverUrl !== undefined && !/^https?:\/\/[^/]/.test(receiverUrl)) {
    throw new UsageError('--receiver must be an http(s) URL such as http://127.0.0.1:9888', {
      code: 'INVALID_VALUE',
      command: 'point',
    })
  }
  return { url: values.url, receiverUrl, waitSeconds }
}

/** Input UP42 would reject is a usage error of this command, so the hint can name its help. */
function validate(input: WebhookPatch, command: CommandName): void {
  try {
    validateWebhookInput(input, { knownEvents: KNOWN_WEBHOOK_EVENTS })
  } catch (cause) {
    if (!(cause instanceof WebhookInputError)) throw cause
    throw new UsageError(cause.message, { code: 'INVALID_VALUE', command, cause })
  }
}

function readSecret(values: Values, command: CommandName) {
  const generateSecret = values['generate-secret'] === true
  const secret = typeof values.secret === 'string' ? values.secret : undefined
  if (generateSecret && secret !== undefined) {
    throw new UsageError('--secret and --generate-secret exclude each other', {
      code: 'CONFLICTING_OPTIONS',
      command,
    })
  }
  return { secret, generateSecret }
}

/** `--events` may be repeated; its comma lists together form one de-duplicated list. */
function readEvents(values: Values): string[] {
  const lists = [values.events].flat().filter((value) => typeof value === 'string')
  return parseEventList(lists.join(','))
}

function isCommandName(value: string): value is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(value)
}

function unknownCommand(value: string): UsageError {
  return new UsageError(`unknown command "${value}"; commands: ${COMMAND_NAMES.join(', ')}`, {
    code: 'UNKNOWN_COMMAND',
  })
}
