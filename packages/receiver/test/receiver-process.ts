import path from 'node:path'
import {
  runPnpm,
  runTsx,
  startTsx,
  type Finished,
  type ProgramOptions,
  type RunningProgram,
  type StartOptions,
} from '@up42-webhooks/test-support'

export const PACKAGE_DIR = path.resolve(import.meta.dirname, '..')
export const MAIN = path.join(PACKAGE_DIR, 'src', 'main.ts')
export const REPO_DIR = path.resolve(PACKAGE_DIR, '..', '..')
/** The receiver's settings a test's shell may hold. */
export const RECEIVER_ENV = /^(RECEIVER_|UP42_|PORT$|HOST$)/

/**
 * Only PATH is kept from the test's own environment, so no RECEIVER_*, UP42_*, PORT or HOST of
 * the shell running the tests changes what a test starts; `PORT=0` unless the test says.
 */
function receiverOptions(env: Record<string, string>): ProgramOptions {
  return { cwd: PACKAGE_DIR, dropEnv: /^(?!PATH$)/, env: { PORT: '0', ...env } }
}

/** The real receiver (`tsx src/main.ts`), resolved once it accepts connections. */
export function startReceiver(
  env: Record<string, string>,
  args: string[] = [],
  options: StartOptions = {}
): Promise<RunningProgram> {
  return startTsx(MAIN, args, { ...receiverOptions(env), ...options })
}

/** The real receiver run to its exit (a start that must fail). */
export function runReceiver(
  env: Record<string, string>,
  args: string[] = [],
  options: ProgramOptions = {}
): Promise<Finished> {
  return runTsx(MAIN, args, { ...receiverOptions(env), ...options })
}

/** `pnpm <args>` in the repository root, as the README spells it, without the shell's receiver settings. */
export function runPnpmInRepo(args: string[]): Promise<Finished> {
  return runPnpm(args, { cwd: REPO_DIR, dropEnv: RECEIVER_ENV })
}
