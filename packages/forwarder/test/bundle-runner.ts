// Child process for the bundle smoke test: loads built step bundles with Node's own ESM loader
// (vitest's module runner would resolve `undici@7` itself) and runs scenarios through them.
// stdin: [{ bundle, env, props?, event, runs?, rerunContext?, triggerContext? }]; stdout: JSON results.
import { text } from 'node:stream/consumers'
import { ConfigurationError } from '@pipedream/platform'
import { loadStepBundle } from '../src/load-step-bundle.ts'
import { runStep, type RunStepOptions } from '../src/pipedream-runtime.ts'

interface Scenario extends RunStepOptions {
  bundle: string
  env: Record<string, string>
}

const scenarios = JSON.parse(await text(process.stdin)) as Scenario[]
const results = []
for (const { bundle, env, ...options } of scenarios) {
  const component = await loadStepBundle(bundle)
  const before = { ...process.env }
  Object.assign(process.env, env)
  const run = await runStep(component, options)
  process.env = before
  const error = run.error as
    { name?: string; code?: string; variable?: string; message?: string } | undefined
  results.push({
    exports: run.exports,
    returnValue: run.returnValue,
    exitReason: run.exitReason ?? null,
    rerun: run.rerun ?? null,
    error: error
      ? {
          name: error.name,
          code: error.code,
          variable: error.variable,
          message: error.message,
          // The bundle's `@pipedream/platform@3` is this package's copy, not an imitation.
          instanceOfPlatform: error instanceof ConfigurationError,
        }
      : null,
  })
}
process.stdout.write(JSON.stringify(results))
