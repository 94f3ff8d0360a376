import { resolveValidateConfig } from '../core/config.ts'
import type { ForwarderProps } from './rerun-config.ts'
import { validateWebhook } from '../core/validate-webhook.ts'
import { notifyFromStep, stepNotifyConfig, type NotifyProps } from './notify-step.ts'
import type { RunArgs } from './pipedream-types.ts'
import { deliveryOf, exitWith, exportVerdict, stepConfig } from './step-adapter.ts'
import { notifyProp, validateProps } from './step-props.ts'

export default defineComponent({
  props: { ...validateProps, notify: notifyProp },
  async run(this: ForwarderProps & NotifyProps, { steps, $ }: RunArgs) {
    const config = stepConfig(() => resolveValidateConfig(this, process.env))
    const notify = stepNotifyConfig(this, process.env)
    const { delivery, bodySource } = deliveryOf(steps.trigger.event, $)
    const result = await validateWebhook(delivery, config)
    if (!result.ok) return exitWith($, result.result)
    const verdict = exportVerdict($, result.verdict, bodySource)
    await notifyFromStep($, delivery, verdict.messageId, notify)
    return verdict
  },
})
