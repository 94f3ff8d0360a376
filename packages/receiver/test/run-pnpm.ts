import { spawn } from 'node:child_process'
import path from 'node:path'

export const REPO_DIR = path.resolve(import.meta.dirname, '..', '..', '..')

/**
 * pnpm as the README spells it (`npx -y pnpm@10.34.9`), or the very pnpm running these tests when
 * there is one (`npm_execpath`), which skips npx's start-up.
 */
function pnpmCommand(): [string, string[]] {
  const running = process.env['npm_execpath']
  if (running !== undefined && /pnpm\.c?js$/.test(running)) return [process.execPath, [running]]
  return ['npx', ['-y', 'pnpm@10.34.9']]
}

/** Runs `pnpm <args>` in the repository root to completion, without the parent's receiver settings. */
export function runPnpm(
  args: string[],
  options: { cwd?: string } = {}
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(RECEIVER_|UP42_|PORT$|HOST$)/.test(key)) env[key] = value
  }
  const [command, prefix] = pnpmCommand()
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd ?? REPO_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
