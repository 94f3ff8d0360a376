import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_DIR = path.resolve(PACKAGE_DIR, '..', '..')
/**
 * Node itself with tsx's loader, not the `tsx` CLI: the CLI runs the script in a child process,
 * so SIGKILLing it would orphan the real server.
 */
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const

/** The test's environment with `changes` applied; an undefined value removes the variable. */
function childEnv(changes: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...changes }
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete env[key]
  return env
}

export interface RunOptions {
  input?: string
  env?: Record<string, string | undefined>
  cwd?: string
}

/** Runs a TS file with tsx, feeding `input` on stdin; resolves with exit code and output. */
export function runTsx(
  file: string,
  args: string[],
  options: RunOptions = {}
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCommand(NODE_TSX[0], [...NODE_TSX.slice(1), file, ...args], options)
}

/** Runs any program (e.g. `npx -y pnpm@… relay --help`, as a user would type it). */
export function runCommand(
  command: string,
  args: string[],
  options: RunOptions = {}
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? PACKAGE_DIR,
      env: childEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/**
 * Starts a long-running tsx process and waits for the line that announces its URL
 * (`listening on http://…`). The caller kills it.
 */
export function startTsxServer(
  file: string,
  env: Record<string, string | undefined>,
  pattern = /listening on (http:\/\/\S+)/
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), file], {
      cwd: REPO_DIR,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = pattern.exec(output)
      if (match?.[1]) resolve({ child, url: match[1].replace(/\/$/, ''), output: () => output })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('error', reject)
    child.on('exit', (code) =>
      reject(new Error(`${file} exited with ${code} before listening:\n${output}`))
    )
  })
}

/** SIGKILL and wait for the exit, so ports and files are free afterwards. */
export async function killProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGKILL')
  await exited
}
