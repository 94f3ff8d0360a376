import { invokedCommand } from './invoked-command.ts'
import { parseSimulateArgs, simulate, simulateUsage, UsageError } from './simulate.ts'

const USAGE = simulateUsage(invokedCommand('simulate'))

let options
try {
  options = parseSimulateArgs(process.argv.slice(2), process.env)
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  process.stderr.write(`simulate: ${error.message}\n\n${USAGE}\n`)
  process.exit(2)
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}

try {
  const replies = await simulate(options, (r) => {
    process.stdout.write(
      `${r.index}/${options.count} ${r.status} ${r.latencyMs.toFixed(1)} ms messageId=${r.messageId} ${JSON.stringify(r.reply)}\n`
    )
  })
  process.exitCode = replies.every((r) => r.status >= 200 && r.status < 300) ? 0 : 1
} catch (error) {
  const code = (error as { code?: unknown }).code
  process.stderr.write(
    `simulate: request failed: ${(error as Error).message}${typeof code === 'string' ? ` (${code})` : ''}\n`
  )
  process.exitCode = 1
}
// The keep-alive agent would hold the process open for a few seconds.
process.exit()
