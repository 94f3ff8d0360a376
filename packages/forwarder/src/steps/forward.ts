import { resolveForwardConfig, type ForwarderProps } from '../core/config.ts'
import { forwardWebhook } from '../core/relay-webhook.ts'
import type { RunArgs } from './pipedream-types.ts'
import { exportForwarded, forwardOrRerun } from './step-adapter.ts'
import { forwardProps } from './step-props.ts'

export default defineComponent({
  props: forwardProps,
  async run(this: ForwarderProps, { steps, $ }: RunArgs) {
    const config = resolveForwardConfig(this, process.env)
    const traceId = steps.trigger.context?.trace_id
    const outcome = await forwardOrRerun($, this, process.env, () =>
      forwardWebhook(steps.trigger.event, config, { traceId })
    )
    if (outcome.outcome === 'forwarded') exportForwarded($, outcome, config.receiverUrl)
    return outcome
  },
})
