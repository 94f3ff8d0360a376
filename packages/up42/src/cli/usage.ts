import { DEFAULT_WAIT_SECONDS, type CommandName } from './parse-command.ts'
import { DEFAULT_RECEIVER_URL } from './receiver-client.ts'

/** What a user types to run the CLI from the repository root (the `up42` bin is the other way). */
export const ROOT_SCRIPT = 'npx -y pnpm@10.34.9 -s up42 --'

/** `text` with its `Usage: up42 …` lines naming the command the user typed instead. */
export function usageFor(text: string, program: string): string {
  return text.replaceAll(/^Usage: up42 /gm, `Usage: ${program} `)
}

export const USAGE = `up42: manage UP42 webhook subscriptions

Usage: up42 <command> [options]

Commands:
  events                       list the event types a webhook can subscribe to
  list                         list the workspace's webhooks
  get <id>                     show one webhook
  create --name <n> --url <https url> --events <e1,e2> [--secret <s> | --generate-secret] [--active]
  update <id> [--name <n>] [--url <https url>] [--events <e1,e2>] [--secret <s> | --generate-secret]
              [--active | --inactive]
  delete <id>                  delete a webhook
  test <id>                    ask UP42 to send a test event per subscribed event type
  point <id> --url <https url> [--receiver <url>] [--wait <seconds>]
                               re-point to a new tunnel URL, send test events and show
                               what the local receiver got
  help [command]               show help

Options:
  --json          machine-readable JSON on stdout (for jq)
  --show-secret   print webhook secrets (and URL passwords) instead of hiding them
  -h, --help      show help

Environment:
  UP42_USERNAME, UP42_PASSWORD      account login (password grant), or
  UP42_TOKEN, UP42_WORKSPACE_ID     an access token and its workspace
  UP42_API_URL (https://api.up42.com), UP42_AUTH_URL (https://auth.up42.com)
  RECEIVER_USER, RECEIVER_PASSWORD  basic auth of the local receiver (point)

Exit codes: 0 ok, 1 API or runtime error, 2 usage or validation error, 3 authentication
failure, 4 webhook not found, 5 point: test events did not reach the running receiver.
`

export const COMMAND_USAGE: Record<CommandName, string> = {
  events: `Usage: up42 events [--json]

Lists the event types UP42 offers (GET /webhooks/events).
`,
  list: `Usage: up42 list [--json] [--show-secret]

Lists the webhooks of the workspace. Secrets are shown as "set" unless --show-secret.
`,
  get: `Usage: up42 get <id> [--json] [--show-secret]

Shows one webhook. The secret is hidden unless --show-secret.
`,
  create: `Usage: up42 create --name <name> --url <https url> --events <job.status,order.status>
                   [--secret <secret> | --generate-secret] [--active] [--json] [--show-secret]

Creates a webhook. UP42 only delivers to https URLs. Webhooks are created inactive unless
--active. --generate-secret creates a random secret and prints it once, with the line to
export it as UP42_WEBHOOK_SECRET for the receiver and the forwarder.
`,
  update: `Usage: up42 update <id> [--name <name>] [--url <https url>] [--events <e1,e2>]
                   [--secret <secret> | --generate-secret] [--active | --inactive]
                   [--json] [--show-secret]

Changes the given fields; the others keep their current values (UP42 replaces the whole
object, so the current ones are read first).
`,
  delete: `Usage: up42 delete <id> [--json]

Deletes a webhook.
`,
  test: `Usage: up42 test <id> [--json]

Asks UP42 to send one test event (liveMode: false) per subscribed event type.
`,
  point: `Usage: up42 point <id> --url <https url> [--receiver <url>] [--wait <seconds>] [--json]

Sets the webhook's URL (e.g. a new ngrok tunnel), triggers test events and waits up to
--wait seconds (default ${DEFAULT_WAIT_SECONDS}) for the local receiver (--receiver, default
${DEFAULT_RECEIVER_URL}; RECEIVER_USER/RECEIVER_PASSWORD for its basic auth) to store them,
then prints what it got. Given just \`https://<new host>\`, the current path and user:password
are kept; end the URL with "/" to use the root path. If the receiver is not running, the
update still counts (exit 0). Exits 5 when the receiver runs but the test events did not arrive.
`,
}
