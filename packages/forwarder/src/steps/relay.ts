import { resolveRelayConfig } from '../core/config.ts'
import type { ForwarderProps } from './rerun-config.ts'
import { relayWebhook } from '../core/relay-webhook.ts'
import type { RunArgs } from './pipedream-types.ts'
import { deliveryOf, exportVerdict, finish, forwardOrRerun, stepConfig } from './step-adapter.ts'
import { forwardProps, validateProps } from './step-props.ts'

export default defineComponent({
  props: { ...validateProps, ...forwardProps },
  async run(this: ForwarderProps, { steps, $ }: RunArgs) {
    const config = stepConfig(() => resolveRelayConfig(this, process.env))
    // A re-run comes minutes after delivery: the signature's age is checked as of the first run.
    const { delivery, bodySource } = deliveryOf(steps.trigger.event, $)
    const fallbackKey = steps.trigger.context?.trace_id
    const outcome = await forwardOrRerun($, this, process.env, (ready) =>
      relayWebhook(delivery, config, {
        fallbackKey,
        onValid(verdict) {
          exportVerdict($, verdict, bodySource)
          ready()
        },
      })
    )
    return finish($, outcome, config.receiverUrl)
  },
})
