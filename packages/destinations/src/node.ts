/**
 * @module @up42-webhooks/destinations/node
 * Everything of `@up42-webhooks/destinations`, with a sendNotification that also runs
 * `desktop:` (notify-send / osascript) and `cmd:` (a shell command line) destinations, and an
 * HTTP transport on undici's `request` (cheaper than `fetch` on Node).
 */
export * from './index.ts'
export { sendNotification } from './node/send-notification.ts'
export type { NodeSendOptions } from './node/send-options.ts'
export { commandEnv, DEFAULT_COMMAND_TIMEOUT_MS } from './node/send-command.ts'
export { DEFAULT_DESKTOP_TIMEOUT_MS } from './node/send-desktop.ts'
export { createUndiciTransport, type UndiciTransport } from './node/undici-transport.ts'
