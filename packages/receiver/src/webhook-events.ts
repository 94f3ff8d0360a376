import type { Delivery, WebhookSummary } from './store.ts'

/** What the receiver announces to live listeners (the inspector's server-sent events). */
export type WebhookEvent =
  /** A webhook was committed for the first time. */
  | { type: 'stored'; webhook: WebhookSummary }
  /** A repeat of a stored messageId: `webhook.deliveryCount` went up. */
  | { type: 'duplicate'; webhook: WebhookSummary }
  | { type: 'deleted'; id: number }
  | { type: 'cleared'; count: number }
  /** A delivery to a destination changed (attempted, delivered, failed, retried by hand). */
  | { type: 'delivery-state'; delivery: Delivery }

export type WebhookEventListener = (event: WebhookEvent) => void

export interface WebhookEvents {
  /** Returns the function that unsubscribes. */
  subscribe(listener: WebhookEventListener): () => void
  emit(event: WebhookEvent): void
  readonly listenerCount: number
}

/**
 * A small synchronous, typed emitter. A listener that throws is reported to `onListenerError`
 * and does not stop the others, nor the request that emitted.
 */
export function createWebhookEvents(
  options: { onListenerError?: (error: unknown) => void } = {}
): WebhookEvents {
  const {
    onListenerError = (error: unknown) => console.error('webhook event listener failed', error),
  } = options
  const listeners = new Set<WebhookEventListener>()
  return {
    subscribe(listener) {
      // a wrapper per subscription, so subscribing the same function twice is two subscriptions
      const entry: WebhookEventListener = (event) => listener(event)
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event)
        } catch (error) {
          onListenerError(error)
        }
      }
    },
    get listenerCount() {
      return listeners.size
    },
  }
}
