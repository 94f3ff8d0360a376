import { resolveRelayConfig } from '../core/config.ts'
import type { ForwarderProps } from './rerun-config.ts'
import { relayWebhook } from '../core/relay-webhook.ts'
import { notifyFromStep, stepNotifyConfig, type NotifyProps } from './notify-step.ts'
import type { RunArgs } from './pipedream-types.ts'
import { deliveryOf, exportVerdict, finish, forwardOrRerun, stepConfig } from './step-adapter.ts'
import { forwardProps, notifyProp, validateProps } from './step-props.ts'

export default defineComponent({
  props: { ...validateProps, notify: notifyProp, ...forwardProps },
  async run(this: ForwarderProps & NotifyProps, { steps, $ }: RunArgs) {
    const config = stepConfig(() => resolveRelayConfig(this, process.env))
    const notify = stepNotifyConfig(this, process.env)
    // A re-run comes minutes after delivery: the signature's age is checked as of the first run.
    const { delivery, bodySource } = deliveryOf(steps.trigger.event, $)
    const fallbackKey = steps.trigger.context?.trace_id
    // Told while the receiver is contacted, so a slow destination does not eat the forward's
    // budget; awaited even when the forward throws, so the results are exported (it never throws).
    let notified: Promise<unknown> = Promise.resolve()
    try {
      const outcome = await forwardOrRerun($, this, process.env, (ready) =>
        relayWebhook(delivery, config, {
          fallbackKey,
          onValid(verdict) {
            const { messageId } = exportVerdict($, verdict, bodySource)
            notified = notifyFromStep($, delivery, messageId, notify)
            ready()
          },
        })
      )
      return finish($, outcome, config.receiverUrl)
    } finally {
      await notified
    }
  },
})
