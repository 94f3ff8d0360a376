import { spawn } from 'node:child_process'

export interface RunProcessOptions {
  /** Program, or with `shell` the whole command line. */
  command: string
  args?: readonly string[]
  /** Run `command` through the system shell (`/bin/sh -c` on POSIX, `cmd.exe` on Windows). */
  shell?: boolean
  /** Written to stdin, which is then closed. */
  input?: string
  env: Record<string, string | undefined>
  timeoutMs: number
  signal?: AbortSignal
}

export interface RunProcessResult {
  /** `null` when it could not start or was killed. */
  exitCode: number | null
  killedBy: NodeJS.Signals | null
  timedOut: boolean
  aborted: boolean
  /** stdout and stderr as they came, at most OUTPUT_LIMIT bytes. */
  output: string
  /** Why it could not start (`ENOENT` …). */
  spawnError: NodeJS.ErrnoException | null
}

const OUTPUT_LIMIT = 4096
/** After SIGTERM, how long a process may take to exit before SIGKILL. */
const KILL_GRACE_MS = 2000

/**
 * Runs one process to its end with a time limit. On POSIX it gets its own process group, so a
 * timeout ends whatever a shell line started (`a | b`, background jobs), not just the shell.
 * Never rejects.
 */
export function runProcess(options: RunProcessOptions): Promise<RunProcessResult> {
  return new Promise((resolve) => {
    const posix = process.platform !== 'win32'
    const chunks: Buffer[] = []
    let size = 0
    let timedOut = false
    let aborted = false
    let spawnError: NodeJS.ErrnoException | null = null
    const child = spawn(options.command, options.args ?? [], {
      shell: options.shell ?? false,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: posix,
      windowsHide: true,
    })
    const collect = (chunk: Buffer) => {
      if (size >= OUTPUT_LIMIT) return
      chunks.push(chunk.subarray(0, OUTPUT_LIMIT - size))
      size += Math.min(chunk.length, OUTPUT_LIMIT - size)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    // A command that does not read its stdin closes it early: EPIPE is not its failure.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')

    let killTimer: ReturnType<typeof setTimeout> | undefined
    const kill = () => {
      signalGroup('SIGTERM')
      killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS)
      killTimer.unref()
    }
    const signalGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return
      try {
        if (posix) process.kill(-child.pid, signal)
        else child.kill(signal)
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, options.timeoutMs)
    const onAbort = () => {
      aborted = true
      kill()
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    if (options.signal?.aborted) onAbort()

    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error
    })
    child.on('close', (exitCode, killedBy) => {
      clearTimeout(timer)
      clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
      resolve({
        exitCode,
        killedBy,
        timedOut,
        aborted,
        output: Buffer.concat(chunks).toString('utf8'),
        spawnError,
      })
    })
  })
}
