import type { ForwardError, ForwardErrorCode } from '../core/errors.ts'

/** The forward step re-ran as often as its schedule allows and the receiver is still not reachable. */
export class GiveUpError extends Error {
  override name = 'GiveUpError'
  code: ForwardErrorCode
  runs: number
  waitedMs: number

  constructor(
    message: string,
    options: { code: ForwardErrorCode; runs: number; waitedMs: number; cause: ForwardError }
  ) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.runs = options.runs
    this.waitedMs = options.waitedMs
  }
}
