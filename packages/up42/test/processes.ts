import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url))

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to completion and collects its output. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv }
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/**
 * `pnpm <args>` as the README spells it (`npx -y pnpm@10.34.9`), or the very pnpm running these
 * tests when there is one (`npm_execpath`), which skips npx's start-up.
 */
export function runPnpm(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv }
): Promise<Finished> {
  const running = process.env.npm_execpath
  return running !== undefined && /pnpm\.c?js$/.test(running)
    ? runProcess(process.execPath, [running, ...args], options)
    : runProcess('npx', ['-y', 'pnpm@10.34.9', ...args], options)
}

/** The environment of a child without the parent's UP42/receiver settings leaking in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(UP42_|RECEIVER_)/.test(key)) env[key] = value
  }
  return { ...env, ...extra }
}

const STARTUP_TIMEOUT_MS = 45_000

export interface RunningReceiver {
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

/**
 * Starts the real receiver (`packages/receiver/src/main.ts`) in its own process on a free port
 * and resolves with its URL once it prints `listening on http://…`.
 */
export function startReceiver(env: Record<string, string>): Promise<RunningReceiver> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/receiver/src/main.ts'], {
    cwd: REPO_ROOT,
    env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let output = ''
  return new Promise((resolve, reject) => {
    // A receiver that never says it listens must not outlive the test run.
    const timer = setTimeout(() => child.kill('SIGKILL'), STARTUP_TIMEOUT_MS)
    const onData = (chunk: string) => {
      output += chunk
      const url = output.match(/listening on (http:\/\/\S+)/)?.[1]
      if (!url) return
      clearTimeout(timer)
      resolve({
        url: url.replace(/\/+$/, ''),
        process: child,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
          await exited
        },
      })
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`receiver exited (${code ?? signal}) before listening: ${output}`))
    })
  })
}
