import { redactUrl, type Up42Client, type Webhook } from '../client/index.ts'
import { EXIT_CODES, type ExitCode } from './exit-codes.ts'
import { formatFields, formatJson, formatTable } from './format.ts'
import { generateSecret } from './generate-secret.ts'
import type { Command } from './parse-command.ts'
import { pointWebhook, type PointOutcome } from './point-webhook.ts'
import { toPublicWebhook } from './public-webhook.ts'
import type { ReceiverClient, ReceivedWebhook } from './receiver-client.ts'

export interface CommandDeps {
  up42: Up42Client
  /** Built lazily: only `point` talks to the receiver. */
  receiver: (url: string | undefined) => ReceiverClient
  now: () => number
  sleep: (ms: number) => Promise<void>
  /** Results: stdout. */
  write: (text: string) => void
  /** Progress and notes: stdout for people, stderr when stdout carries JSON. */
  note: (text: string) => void
}

type ApiCommand = Exclude<Command, { name: 'help' }>

/** Runs one API command and prints its result; errors propagate to `run`. */
export async function executeCommand(command: ApiCommand, deps: CommandDeps): Promise<ExitCode> {
  const { up42, write, note } = deps
  const show = (webhook: Webhook) => toPublicWebhook(webhook, { showSecret: command.showSecret })

  switch (command.name) {
    case 'events': {
      const events = await up42.events()
      write(
        command.json
          ? formatJson(events)
          : formatTable(
              ['NAME', 'TITLE', 'CATEGORY', 'DESCRIPTION'],
              events.map((e) => [e.name, e.title, e.category, e.description])
            )
      )
      return EXIT_CODES.OK
    }
    case 'list': {
      const webhooks = await up42.list()
      if (command.json) write(formatJson(webhooks.map(show)))
      else if (webhooks.length === 0) write('No webhooks yet. Create one with `up42 create`.\n')
      else write(webhookTable(webhooks, command.showSecret))
      return EXIT_CODES.OK
    }
    case 'get': {
      const webhook = await up42.get(command.id)
      write(command.json ? formatJson(show(webhook)) : webhookFields(webhook, command.showSecret))
      return EXIT_CODES.OK
    }
    case 'create':
    case 'update': {
      const secret = command.generateSecret ? generateSecret() : undefined
      const webhook =
        command.name === 'create'
          ? await up42.create({ ...command.input, ...(secret ? { secret } : {}) })
          : await up42.update(command.id, { ...command.patch, ...(secret ? { secret } : {}) })
      // A generated secret exists nowhere else yet, so this one output reveals it.
      const visible = toPublicWebhook(webhook, { showSecret: command.showSecret || !!secret })
      if (command.json) {
        write(formatJson(visible))
        return EXIT_CODES.OK
      }
      write(`${command.name === 'create' ? 'Created' : 'Updated'} webhook ${webhook.id}.\n`)
      write(webhookFields(webhook, command.showSecret))
      if (secret) write(secretInstructions(secret))
      if (!webhook.active) write(inactiveNote(webhook.id))
      return EXIT_CODES.OK
    }
    case 'delete': {
      await up42.delete(command.id)
      write(command.json ? formatJson({ deleted: command.id }) : `Deleted webhook ${command.id}.\n`)
      return EXIT_CODES.OK
    }
    case 'test': {
      const result = await up42.test(command.id)
      write(
        command.json
          ? formatJson({ id: command.id, ...result })
          : `UP42 started ${result.testsRun} test event(s) at ${result.startedAt}` +
              ` (${result.testsSucceeded} reported delivered so far).\n`
      )
      return EXIT_CODES.OK
    }
    case 'point': {
      const outcome = await pointWebhook(command, {
        up42,
        receiver: deps.receiver(command.receiverUrl),
        now: deps.now,
        sleep: deps.sleep,
        progress: (line) => note(`${line}\n`),
      })
      if (command.json) {
        write(formatJson({ ...outcome, webhook: show(outcome.webhook) }))
      } else {
        write(describeOutcome(outcome, command.waitSeconds))
        if (!outcome.webhook.active) write(inactiveNote(outcome.webhook.id))
      }
      return outcome.receiver.state === 'incomplete' ? EXIT_CODES.NOT_RECEIVED : EXIT_CODES.OK
    }
  }
}

function webhookTable(webhooks: readonly Webhook[], showSecret: boolean): string {
  return formatTable(
    ['ID', 'NAME', 'ACTIVE', 'EVENTS', 'SECRET', 'URL'],
    webhooks.map((w) => [
      w.id,
      w.name,
      w.active ? 'yes' : 'no',
      w.events.join(','),
      w.secret === null ? 'none' : showSecret ? w.secret : 'set',
      showSecret ? w.url : redactUrl(w.url),
    ])
  )
}

function webhookFields(webhook: Webhook, showSecret: boolean): string {
  const secret =
    webhook.secret === null
      ? 'none (deliveries are not signed)'
      : showSecret
        ? webhook.secret
        : 'set (hidden; --show-secret reveals it)'
  return formatFields([
    ['id', webhook.id],
    ['name', webhook.name],
    ['url', showSecret ? webhook.url : redactUrl(webhook.url)],
    ['active', webhook.active ? 'yes' : 'no'],
    ['events', webhook.events.join(', ')],
    ['secret', secret],
    ['created', webhook.createdAt],
    ['updated', webhook.updatedAt],
  ])
}

function secretInstructions(secret: string): string {
  return (
    '\nGenerated a new webhook secret. It is printed only this once (`up42 get <id> --show-secret`\n' +
    'reads it back from UP42). Give it to the receiver and the forwarder:\n\n' +
    `  export UP42_WEBHOOK_SECRET='${secret}'\n\n`
  )
}

function inactiveNote(id: string): string {
  return `Note: the webhook is inactive; UP42 sends live events only to active webhooks (\`up42 update ${id} --active\`).\n`
}

function describeOutcome(outcome: PointOutcome, waitSeconds: number): string {
  const { receiver, test, webhook } = outcome
  if (receiver.state === 'unavailable') {
    return (
      `Could not check the delivery: ${receiver.message}.\n` +
      `The URL is updated. Start the receiver (\`pnpm start\`) and run \`up42 test ${webhook.id}\` ` +
      'to see test events arrive.\n'
    )
  }
  const lines = [
    `The local receiver got ${receiver.received.length} of ${test.testsRun} test event(s)` +
      (receiver.state === 'incomplete' ? ` within ${waitSeconds} s.` : ':'),
  ]
  if (receiver.received.length > 0) lines.push(receivedTable(receiver.received).trimEnd())
  if (receiver.state === 'incomplete') {
    lines.push(
      `Check that the tunnel is up and forwards ${redactUrl(webhook.url)} to ${receiver.url}.`
    )
  }
  lines.push(...verdictHints(receiver.received, webhook.id))
  return `${lines.join('\n')}\n`
}

function receivedTable(items: readonly ReceivedWebhook[]): string {
  return formatTable(
    ['ID', 'RECEIVED', 'EVENT', 'LIVE', 'STATUS', 'VERDICT'],
    items.map((item) => [
      String(item.id),
      item.receivedAt,
      item.event ?? '-',
      item.liveMode === null ? '-' : String(item.liveMode),
      item.status ?? '-',
      item.verdict,
    ])
  )
}

function verdictHints(items: readonly ReceivedWebhook[], id: string): string[] {
  const verdicts = new Set(items.map((item) => item.verdict))
  const hints: string[] = []
  if (items.some((item) => item.verdict.startsWith('invalid:'))) {
    hints.push(
      "Hint: the signature did not verify; the receiver's UP42_WEBHOOK_SECRET probably differs " +
        `from the webhook's secret (\`up42 get ${id} --show-secret\`).`
    )
  }
  if (verdicts.has('unchecked')) {
    hints.push('Hint: the receiver has no UP42_WEBHOOK_SECRET, so signatures were not checked.')
  }
  if (verdicts.has('unsigned')) {
    hints.push(`Hint: the webhook has no secret; \`up42 update ${id} --generate-secret\` sets one.`)
  }
  return hints
}
