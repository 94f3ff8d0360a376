import type { HttpTriggerEvent } from './trigger-event.ts'

/** `$.respond` argument (Pipedream docs: status, headers, body, immediate). */
export interface HttpResponse {
  status: number
  headers?: Record<string, string> | undefined
  body?: unknown
  immediate?: boolean | undefined
}

/** The part of Pipedream's `$` the steps use; `@pipedream/types` types it too loosely for strict TS. */
export interface PipedreamDollar {
  export(key: string, value: unknown): void
  flow: {
    exit(reason?: string): void
    rerun(delayMs: number, context?: unknown, maxRetries?: number): unknown
  }
  respond(response: HttpResponse): Promise<unknown> | void
  /** `runs` starts at 1 and grows with each `$.flow.rerun`; `context` is what the last rerun passed. */
  context?: { run?: { runs?: number; context?: unknown } | undefined } | undefined
}

export interface TriggerContext {
  id?: string | undefined
  /** The same for every execution of one event (auto-retries included). */
  trace_id?: string | undefined
  ts?: string | undefined
}

export interface StepsArg {
  trigger: { event: HttpTriggerEvent; context?: TriggerContext | undefined }
}

export interface RunArgs {
  steps: StepsArg
  $: PipedreamDollar
}

/** A step's prop declaration, as Pipedream's component API defines it. */
export interface PropDefinition {
  type: 'string' | 'boolean' | 'integer'
  label: string
  description: string
  optional: true
  secret?: true
}
