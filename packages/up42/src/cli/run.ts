import {
  createUp42Client,
  redactValues,
  Up42ApiError,
  Up42AuthError,
  Up42NetworkError,
  WebhookInputError,
  type FetchLike,
} from '../client/index.ts'
import { ConfigError, UsageError } from './errors.ts'
import { executeCommand } from './execute-command.ts'
import { EXIT_CODES, type ExitCode } from './exit-codes.ts'
import { parseCommand } from './parse-command.ts'
import { readUp42Config, type Env } from './read-config.ts'
import { createReceiverClient, DEFAULT_RECEIVER_URL } from './receiver-client.ts'
import { COMMAND_USAGE, USAGE, usageFor } from './usage.ts'

export interface RunIo {
  env: Env
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
  fetch?: FetchLike
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** How the user started the CLI, named in usage lines and hints. Default `up42` (the bin). */
  program?: string
}

/**
 * The `up42` command line: parses argv (without node and the script), runs the command,
 * prints to the given streams and resolves with the exit code. Never throws.
 */
export async function run(argv: readonly string[], io: RunIo): Promise<ExitCode> {
  const fetch = io.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const now = io.now ?? Date.now
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)))
  const program = io.program ?? 'up42'
  // A last line of defence: whatever a message contains, configured secrets never get out.
  const sensitive = [io.env.UP42_PASSWORD, io.env.UP42_TOKEN, io.env.RECEIVER_PASSWORD]
  const fail = (text: string) => io.stderr.write(redactValues(text, sensitive))
  try {
    const command = parseCommand(argv)
    if (command.name === 'help') {
      // Without any command this is a usage error: help goes to stderr, stdout stays empty.
      if (argv.filter((arg) => arg !== '--').length === 0) {
        io.stderr.write(usageFor(USAGE, program))
        return EXIT_CODES.USAGE
      }
      io.stdout.write(usageFor(command.topic ? COMMAND_USAGE[command.topic] : USAGE, program))
      return EXIT_CODES.OK
    }
    const config = readUp42Config(io.env)
    const up42 = createUp42Client({ ...config, fetch, now, sleep })
    return await executeCommand(command, {
      up42,
      receiver: (url) =>
        createReceiverClient({
          // Not RECEIVER_URL: for the forwarder that is the public tunnel, the very URL `point`
          // is replacing, while delivery is checked at the local receiver.
          url: url ?? DEFAULT_RECEIVER_URL,
          username: io.env.RECEIVER_USER,
          password: io.env.RECEIVER_PASSWORD,
          fetch,
        }),
      now,
      sleep,
      write: (text) => io.stdout.write(text),
      note: (text) => (command.json ? io.stderr : io.stdout).write(text),
    })
  } catch (error) {
    const { exitCode, message } = describeError(error, program)
    fail(`up42: ${message}\n`)
    return exitCode
  }
}

function describeError(error: unknown, program: string): { exitCode: ExitCode; message: string } {
  if (error instanceof UsageError || error instanceof WebhookInputError) {
    const command = error instanceof UsageError ? error.command : undefined
    const hint = `\`${program} help${command ? ` ${command}` : ''}\``
    return { exitCode: EXIT_CODES.USAGE, message: `${error.message}\nSee ${hint}.` }
  }
  if (error instanceof ConfigError) {
    const exitCode = error.code === 'MISSING' ? EXIT_CODES.AUTH : EXIT_CODES.USAGE
    return { exitCode, message: error.message }
  }
  if (error instanceof Up42AuthError) {
    const hint =
      error.code === 'INVALID_CREDENTIALS'
        ? ' (check UP42_USERNAME and UP42_PASSWORD)'
        : error.code === 'TOKEN_REJECTED'
          ? ' (if you use UP42_TOKEN, it may have expired)'
          : ''
    return { exitCode: EXIT_CODES.AUTH, message: `authentication failed: ${error.message}${hint}` }
  }
  if (error instanceof Up42ApiError) {
    const detail = `${error.message} (HTTP ${error.status}, UP42 code ${error.code})`
    if (error.status === 404)
      return { exitCode: EXIT_CODES.NOT_FOUND, message: `not found: ${detail}` }
    if (error.status === 401 || error.status === 403) {
      return { exitCode: EXIT_CODES.AUTH, message: `access denied: ${detail}` }
    }
    if (error.status === 429) {
      return {
        exitCode: EXIT_CODES.FAILURE,
        message: `rate limited by UP42, try again later: ${detail}`,
      }
    }
    return { exitCode: EXIT_CODES.FAILURE, message: `UP42 API error: ${detail}` }
  }
  if (error instanceof Up42NetworkError) {
    return { exitCode: EXIT_CODES.FAILURE, message: error.message }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { exitCode: EXIT_CODES.FAILURE, message: `unexpected error: ${message}` }
}
