import { resolveRelayConfig, type ForwarderProps } from '../core/config.ts'
import { forwardWebhook } from '../core/relay-webhook.ts'
import { validateWebhook } from '../core/validate-webhook.ts'
import type { RunArgs } from './pipedream-types.ts'
import {
  currentRun,
  exitWith,
  exportForwarded,
  exportVerdict,
  forwardOrRerun,
} from './step-adapter.ts'
import { forwardProps, validateProps } from './step-props.ts'

export default defineComponent({
  props: { ...validateProps, ...forwardProps },
  async run(this: ForwarderProps, { steps, $ }: RunArgs) {
    const config = resolveRelayConfig(this, process.env)
    const event = steps.trigger.event
    // A re-run comes minutes after delivery: check the signature's age as of the first run.
    const validation = await validateWebhook(event, config, { now: currentRun($).firstRunAt })
    if (!validation.ok) return exitWith($, validation.result)
    exportVerdict($, validation.verdict)
    const traceId = steps.trigger.context?.trace_id
    const outcome = await forwardOrRerun($, this, process.env, () =>
      forwardWebhook(event, config, { traceId })
    )
    if (outcome.outcome === 'forwarded') exportForwarded($, outcome, config.receiverUrl)
    return outcome
  },
})
