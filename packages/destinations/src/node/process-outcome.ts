import type { SendOutcome } from '../send-outcome.ts'
import { EXCERPT_LIMIT } from '../send-outcome.ts'
import { truncate } from '../truncate.ts'
import type { RunProcessResult } from './run-process.ts'

/**
 * What a finished process means for delivery: exit 0 delivered; a non-zero exit, a signal, a
 * timeout or an abort worth another try; a program that is not there (ENOENT, or the shell's
 * 127 "command not found") failed at once, since trying again changes nothing.
 */
export function processOutcome(
  what: string,
  result: RunProcessResult,
  timeoutMs: number,
  started: number
): SendOutcome {
  const excerpt = result.output.trim() === '' ? null : truncate(result.output.trim(), EXCERPT_LIMIT)
  const outcome = (kind: SendOutcome['outcome'], error: string | null): SendOutcome => ({
    outcome: kind,
    status: null,
    error,
    responseExcerpt: excerpt,
    retryAfterMs: null,
    latencyMs: Date.now() - started,
  })
  if (result.spawnError !== null) {
    const code = result.spawnError.code ?? result.spawnError.message
    if (code === 'ENOENT') return outcome('failed', `${what} not found on PATH`)
    return outcome('retry', `${what} could not start: ${code}`)
  }
  if (result.timedOut)
    return outcome('retry', `${what} did not exit within ${timeoutMs} ms (killed)`)
  if (result.aborted) return outcome('retry', 'aborted')
  if (result.exitCode === 0) return outcome('delivered', null)
  if (result.exitCode === 127)
    return outcome('failed', `${what}: command not found (exit code 127)`)
  if (result.exitCode === null) return outcome('retry', `${what} was killed by ${result.killedBy}`)
  return outcome('retry', `${what} exited with code ${result.exitCode}`)
}
