import { resolveForwardConfig } from '../core/config.ts'
import type { ForwarderProps } from './rerun-config.ts'
import { forwardWebhook } from '../core/relay-webhook.ts'
import type { RunArgs } from './pipedream-types.ts'
import { deliveryOf, finish, forwardOrRerun, stepConfig } from './step-adapter.ts'
import { forwardProps } from './step-props.ts'

export default defineComponent({
  props: forwardProps,
  async run(this: ForwarderProps, { steps, $ }: RunArgs) {
    const config = stepConfig(() => resolveForwardConfig(this, process.env))
    const { delivery } = deliveryOf(steps.trigger.event, $)
    const fallbackKey = steps.trigger.context?.trace_id
    const outcome = await forwardOrRerun($, this, process.env, (ready) => {
      ready()
      return forwardWebhook(delivery, config, { fallbackKey })
    })
    return finish($, outcome, config.receiverUrl)
  },
})
