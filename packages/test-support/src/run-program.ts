import { spawn } from 'node:child_process'

/** Node itself with tsx's loader, not the `tsx` CLI: the CLI runs the script in a second process. */
export const NODE_TSX: readonly [string, ...string[]] = [process.execPath, '--import', 'tsx']

export interface ProgramOptions {
  cwd?: string
  /** Changes to this process's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>
  /** Variables of this process left out of the child's environment (e.g. /^UP42_/). */
  dropEnv?: RegExp
  /** Run as this user and group (as root: e.g. nobody, to test file permissions). */
  uid?: number
  gid?: number
}

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The child's environment: this process's, minus `dropEnv`, with `env` applied. */
export function childEnv(options: ProgramOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!options.dropEnv?.test(key)) env[key] = value
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

/** Runs a program to completion, feeding `input` on stdin, and collects its output. */
export function runProgram(
  command: string,
  args: readonly string[],
  options: ProgramOptions & { input?: string } = {}
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options),
      stdio: 'pipe',
      uid: options.uid,
      gid: options.gid,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/** Runs a TypeScript file with tsx's loader in a fresh Node. */
export function runTsx(
  file: string,
  args: readonly string[] = [],
  options: ProgramOptions & { input?: string } = {}
): Promise<Finished> {
  const [node, ...loader] = NODE_TSX
  return runProgram(node, [...loader, file, ...args], options)
}

/**
 * `pnpm <args>` as the README spells it (`npx -y pnpm@10.34.9`), or the very pnpm running the
 * tests when there is one (`npm_execpath`), which skips npx's start-up.
 */
export function runPnpm(
  args: readonly string[],
  options: ProgramOptions & { input?: string } = {}
): Promise<Finished> {
  const running = process.env.npm_execpath
  return running !== undefined && /pnpm\.c?js$/.test(running)
    ? runProgram(process.execPath, [running, ...args], options)
    : runProgram('npx', ['-y', 'pnpm@10.34.9', ...args], options)
}
