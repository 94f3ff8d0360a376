/**
 * @module @up42-webhooks/forwarder
 * Validate UP42 webhooks and forward them, byte for byte, to a receiver behind ngrok.
 */
export { relayWebhook, forwardWebhook } from './core/relay-webhook.ts'
export type { RelayOutcome, ForwardedOutcome, RelayOptions } from './core/relay-webhook.ts'
export { validateWebhook } from './core/validate-webhook.ts'
export type {
  Verdict,
  ValidationResult,
  IgnoredOutcome,
  RejectedOutcome,
} from './core/validate-webhook.ts'
export { pingReceiver } from './core/ping-receiver.ts'
export { postWebhook } from './core/post-webhook.ts'
export type { PostResult } from './core/post-webhook.ts'
export { buildForwardRequest } from './core/forward-request.ts'
export type { ForwardRequest } from './core/forward-request.ts'
export type { HttpTriggerEvent } from './steps/trigger-event.ts'
export {
  resolveValidateConfig,
  resolveForwardConfig,
  resolveRelayConfig,
  resolveRerunConfig,
  ENV_NAMES,
} from './core/config.ts'
export type {
  ForwarderProps,
  ValidateConfig,
  ForwardConfig,
  RelayConfig,
  RerunConfig,
} from './core/config.ts'
export { ForwardError, ConfigError, GiveUpError } from './core/errors.ts'
export type { ForwardErrorCode } from './core/errors.ts'
export { createRelayServer, DEFAULT_RELAY_TIMEOUTS } from './create-relay-server.ts'
export { toTriggerEvent } from './relay-http.ts'
export type { RelayServer, RelayServerOptions, RelayTimeouts } from './create-relay-server.ts'
export { runStep, installDefineComponent, createTriggerContext } from './pipedream-runtime.ts'
export type { StepComponent, StepExecution, RunStepOptions } from './pipedream-runtime.ts'
export { loadStepBundle, registerPinnedImports } from './load-step-bundle.ts'
export {
  simulate,
  buildSimulatedEvent,
  signedDelivery,
  parseSimulateArgs,
  UsageError,
} from './simulate.ts'
export type { SimulateOptions, SimulatedReply } from './simulate.ts'
