import { resolveRelayConfig, type ForwarderProps } from '../core/config.ts'
import { relayWebhook } from '../core/relay-webhook.ts'
import type { RunArgs } from './pipedream-types.ts'
import { deliveryOf, exportVerdict, finish, forwardOrRerun, stepConfig } from './step-adapter.ts'
import { forwardProps, validateProps } from './step-props.ts'

const NOT_NOTIFYING =
  'NOTIFY is set, but the relay step does not notify: put the validate step (which reads NOTIFY) before it, or notify from the receiver (RECEIVER_NOTIFY).'

export default defineComponent({
  props: { ...validateProps, ...forwardProps },
  async run(this: ForwarderProps, { steps, $ }: RunArgs) {
    const config = stepConfig(() => resolveRelayConfig(this, process.env))
    // A re-run comes minutes after delivery: the signature's age is checked as of the first run.
    const { delivery, bodySource } = deliveryOf(steps.trigger.event, $)
    const fallbackKey = steps.trigger.context?.trace_id
    // Validate + forward + notify would not fit the bundle budget: the validate step notifies.
    if (process.env.NOTIFY?.trim()) $.export('notify_warning', NOT_NOTIFYING)
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
