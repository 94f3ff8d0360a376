import type { WebhookStore } from './store.ts'
import type { WebhookEvents } from './webhook-events.ts'

const fed = new WeakSet<WebhookEvents>()

/**
 * The live events of an app whose store announces new webhooks itself (`store.subscribe`, several
 * receivers on one database): `stored` events come from the store, in id order and from every
 * instance, and the routes' own `stored` emits are dropped so none comes twice. The other events
 * (duplicates, deletions) stay this process's. The store is subscribed while anyone listens.
 */
export function storeFedEvents(events: WebhookEvents, store: WebhookStore): WebhookEvents {
  const subscribe = store.subscribe?.bind(store)
  // one wrapper for main's dispatcher and the app alike (createApp wraps what it is given)
  if (subscribe === undefined || fed.has(events)) return events
  let unsubscribeStore: (() => void) | null = null
  let listeners = 0
  const wrapper: WebhookEvents = {
    subscribe(listener) {
      const unsubscribe = events.subscribe(listener)
      if (listeners++ === 0) {
        unsubscribeStore = subscribe((webhooks) => {
          for (const webhook of webhooks) events.emit({ type: 'stored', webhook })
        })
      }
      let done = false
      return () => {
        if (done) return
        done = true
        unsubscribe()
        if (--listeners === 0) {
          unsubscribeStore?.()
          unsubscribeStore = null
        }
      }
    },
    emit(event) {
      if (event.type !== 'stored') events.emit(event)
    },
    get listenerCount() {
      return events.listenerCount
    },
  }
  fed.add(wrapper)
  return wrapper
}
