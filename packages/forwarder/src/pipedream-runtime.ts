import { randomUUID } from 'node:crypto'
import type { HttpTriggerEvent } from './steps/trigger-event.ts'
import type { HttpResponse, PipedreamDollar, TriggerContext } from './steps/pipedream-types.ts'

/** A code step as `export default defineComponent({...})` produces it. */
export interface StepComponent {
  props?: Record<string, unknown>
  run(this: Record<string, unknown>, args: { steps: unknown; $: PipedreamDollar }): unknown
}

export interface RerunRequest {
  delayMs: number
  context: unknown
  /** Pipedream's default when the argument is left out. */
  maxRetries: number
}

/** What one execution of a step did, as Pipedream's inspector would show it. */
export interface StepExecution {
  exports: Record<string, unknown>
  returnValue: unknown
  /** Set when the step called `$.flow.exit` (the reason, '' when none was given). */
  exitReason: string | undefined
  rerun: RerunRequest | undefined
  response: HttpResponse | undefined
  error: unknown
}

export interface RunStepOptions {
  event: HttpTriggerEvent
  triggerContext?: TriggerContext | undefined
  props?: Record<string, unknown> | undefined
  /** `$.context.run.runs`: 1 for the first execution. */
  runs?: number | undefined
  /** `$.context.run.context`: what the previous `$.flow.rerun` passed. */
  rerunContext?: unknown
}

/** `defineComponent` is a global in Pipedream code steps; bundles need it before they load. */
export function installDefineComponent(): void {
  const scope = globalThis as { defineComponent?: <T>(component: T) => T }
  scope.defineComponent ??= <T>(component: T): T => component
}

export function createTriggerContext(): Required<TriggerContext> {
  return { id: randomUUID(), trace_id: randomUUID(), ts: new Date().toISOString() }
}

/**
 * Executes a step once with a `$` that behaves as Pipedream documents it: exports must be JSON,
 * `$.flow.exit` does not stop the code (hence `return $.flow.exit()`), `$.flow.rerun` only takes
 * effect after the step ends, and the first `$.respond` wins.
 */
export async function runStep(
  component: StepComponent,
  options: RunStepOptions
): Promise<StepExecution> {
  const execution: StepExecution = {
    exports: {},
    returnValue: undefined,
    exitReason: undefined,
    rerun: undefined,
    response: undefined,
    error: undefined,
  }
  const $: PipedreamDollar = {
    export(key, value) {
      // Pipedream stores exports as JSON; a value that does not survive that is an error there too.
      execution.exports[key] = value === undefined ? undefined : JSON.parse(JSON.stringify(value))
    },
    flow: {
      exit(reason) {
        execution.exitReason = reason ?? ''
      },
      rerun(delayMs, context = null, maxRetries = 10) {
        execution.rerun = { delayMs, context: JSON.parse(JSON.stringify(context)), maxRetries }
        const id = randomUUID()
        return { resume_url: `local://resume/${id}`, cancel_url: `local://cancel/${id}` }
      },
    },
    async respond(response) {
      execution.response ??= response
    },
    context: { run: { runs: options.runs ?? 1, context: options.rerunContext ?? null } },
  }
  const props = { ...(options.props ?? {}) }
  const steps = {
    trigger: { event: options.event, context: options.triggerContext ?? createTriggerContext() },
  }
  try {
    execution.returnValue = await component.run.call(props, { steps, $ })
  } catch (error) {
    execution.error = error
  }
  return execution
}
