import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { childEnv, NODE_TSX, type ProgramOptions } from './run-program.ts'

const LISTENING = /listening on (http:\/\/\S+)/

export interface RunningProgram {
  child: ChildProcess
  /** The announced URL without a trailing slash. */
  url: string
  stdout(): string
  stderr(): string
  /** Resolves when the process has exited (also after `stop`). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGKILL (if still running) and wait for the exit, so ports and files are free afterwards. */
  stop(): Promise<void>
}

export interface StartOptions extends ProgramOptions {
  /** The line that announces the URL; group 1 is the URL. Default `listening on (http://…)`. */
  listening?: RegExp
  /**
   * After the announcement, a path to GET until it answers 2xx (e.g. `/ping`). Without it the
   * program counts as ready once a TCP connection to the announced port succeeds.
   */
  readyPath?: string
  /** The program is killed and the start rejected after this long. Default 45 s (loaded CI). */
  timeoutMs?: number
}

/**
 * Starts a long-running program (which picks its own port, e.g. with PORT=0) and resolves once
 * it announces its URL and really accepts connections there. Rejects, with the output, when it
 * exits first or does not get ready in time; it is then already killed.
 */
export function startProgram(
  command: string,
  args: readonly string[],
  options: StartOptions = {}
): Promise<RunningProgram> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal }))
  )
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  const pattern = options.listening ?? LISTENING

  return new Promise<RunningProgram>((resolve, reject) => {
    let settled = false
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void stop().then(() => reject(error))
    }
    const timer = setTimeout(
      () => fail(new Error(`${command} did not get ready in time:\n${stdout}${stderr}`)),
      options.timeoutMs ?? 45_000
    )
    child.once('error', fail)
    void exited.then(({ code, signal }) =>
      fail(new Error(`${command} exited (${code ?? signal}) before listening:\n${stdout}${stderr}`))
    )
    const onData = () => {
      const url = pattern.exec(stdout + stderr)?.[1]?.replace(/\/+$/, '')
      if (url === undefined) return
      child.stdout.off('data', onData)
      child.stderr.off('data', onData)
      const ready = options.readyPath
        ? untilOk(`${url}${options.readyPath}`, () => settled)
        : untilConnects(new URL(url), () => settled)
      ready.then(
        () => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve({ child, url, stdout: () => stdout, stderr: () => stderr, exited, stop })
        },
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error)))
      )
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
  })
}

/** `startProgram` for a TypeScript file run with tsx's loader in a fresh Node. */
export function startTsx(
  file: string,
  args: readonly string[] = [],
  options: StartOptions = {}
): Promise<RunningProgram> {
  const [node, ...loader] = NODE_TSX
  return startProgram(node, [...loader, file, ...args], options)
}

// A server may print its URL just before the socket accepts (or from a worker); retry briefly.
async function untilConnects(url: URL, gaveUp: () => boolean): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  while (!gaveUp()) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (connected) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function untilOk(url: string, gaveUp: () => boolean): Promise<void> {
  while (!gaveUp()) {
    const ok = await fetch(url).then(
      async (response) => {
        await response.body?.cancel()
        return response.ok
      },
      () => false
    )
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
