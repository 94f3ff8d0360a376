import { resolveValidateConfig, type ForwarderProps } from '../core/config.ts'
import { validateWebhook } from '../core/validate-webhook.ts'
import type { RunArgs } from './pipedream-types.ts'
import { exitWith, exportVerdict } from './step-adapter.ts'
import { validateProps } from './step-props.ts'

export default defineComponent({
  props: validateProps,
  async run(this: ForwarderProps, { steps, $ }: RunArgs) {
    const config = resolveValidateConfig(this, process.env)
    const result = await validateWebhook(steps.trigger.event, config)
    if (!result.ok) return exitWith($, result.result)
    exportVerdict($, result.verdict)
    return result.verdict
  },
})
