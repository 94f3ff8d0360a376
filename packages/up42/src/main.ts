import { run } from './cli/run.ts'
import { ROOT_SCRIPT } from './cli/usage.ts'

// `up42 list | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // the root script `up42` (`npx -y pnpm@10.34.9 -s up42 -- …`), or the bin
  program: process.env.npm_lifecycle_event === 'up42' ? ROOT_SCRIPT : 'up42',
})
