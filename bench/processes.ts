// The benches' child processes: started with test-support's startProgram (resolved once the
// program announces its URL and accepts connections), stopped with SIGTERM so a receiver closes
// its store as in production (checkpoint, WAL removed) before the bench reads the files, and
// SIGKILLed if the bench itself exits first.
import {
  startProgram,
  type RunningProgram,
  type StartOptions,
} from '../packages/test-support/src/start-program.ts'

export type Child = RunningProgram

const running = new Set<RunningProgram>()
process.on('exit', () => {
  for (const program of running) program.child.kill('SIGKILL')
})

/** `node <args>` as a child, e.g. a receiver bundle with `--port 0`. */
export async function startNode(
  args: readonly string[],
  options: StartOptions = {}
): Promise<Child> {
  const program = await startProgram(process.execPath, args, options)
  running.add(program)
  return program
}

/** SIGTERM, then waits for the exit. */
export async function stop(program: Child): Promise<void> {
  program.child.kill('SIGTERM')
  await program.exited
  running.delete(program)
}
