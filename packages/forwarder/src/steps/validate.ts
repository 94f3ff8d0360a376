import { resolveValidateConfig } from '../core/config.ts'
import type { ForwarderProps } from './rerun-config.ts'
import { validateWebhook } from '../core/validate-webhook.ts'
import type { RunArgs } from './pipedream-types.ts'
import { deliveryOf, exitWith, exportVerdict, stepConfig } from './step-adapter.ts'
import { validateProps } from './step-props.ts'

export default defineComponent({
  props: validateProps,
  async run(this: ForwarderProps, { steps, $ }: RunArgs) {
    const config = stepConfig(() => resolveValidateConfig(this, process.env))
    const { delivery, bodySource } = deliveryOf(steps.trigger.event, $)
    const result = await validateWebhook(delivery, config)
    if (!result.ok) return exitWith($, result.result)
    return exportVerdict($, result.verdict, bodySource)
  },
})
