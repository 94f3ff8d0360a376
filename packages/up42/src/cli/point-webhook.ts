import { redactUrl, type TestEventsResult, type Up42Client, type Webhook } from '../client/index.ts'
import {
  ReceiverUnavailableError,
  type ReceivedWebhook,
  type ReceiverClient,
} from './receiver-client.ts'

const POLL_INTERVAL_MS = 500

export type ReceiverState = 'received' | 'incomplete' | 'unavailable'

export interface PointOutcome {
  webhook: Webhook
  test: TestEventsResult
  receiver: {
    url: string
    state: ReceiverState
    /** Why the receiver could not be asked (`unavailable` only). */
    message: string | null
    /** Test deliveries the receiver stored after the update, oldest first. */
    received: ReceivedWebhook[]
  }
}

/**
 * Re-points a webhook to a new tunnel URL, triggers UP42's test events and waits until the
 * local receiver has stored them. A receiver that is not running is reported, not thrown:
 * the update itself has succeeded by then.
 */
export async function pointWebhook(
  request: { id: string; url: string; waitSeconds: number },
  deps: {
    up42: Up42Client
    receiver: ReceiverClient
    now: () => number
    sleep: (ms: number) => Promise<void>
    progress: (line: string) => void
  }
): Promise<PointOutcome> {
  const { up42, receiver } = deps
  // Taken before the update so that the test events are recognised as "newer than before".
  let before = 0
  let unavailable: ReceiverUnavailableError | undefined
  try {
    before = await receiver.latestId()
  } catch (error) {
    if (!(error instanceof ReceiverUnavailableError)) throw error
    unavailable = error
  }

  const current = await up42.get(request.id)
  const webhook = await up42.update(request.id, { url: carryOver(current.url, request.url) })
  deps.progress(`Updated webhook ${webhook.id}: url is now ${redactUrl(webhook.url)}`)
  const test = await up42.test(request.id)
  deps.progress(`UP42 is sending ${test.testsRun} test event(s) (${webhook.events.join(', ')}).`)

  const outcome = (state: ReceiverState, received: ReceivedWebhook[], message: string | null) => ({
    webhook,
    test,
    receiver: { url: receiver.url, state, message, received },
  })
  if (unavailable) return outcome('unavailable', [], unavailable.message)

  deps.progress(`Waiting up to ${request.waitSeconds} s for them at ${receiver.url} ...`)
  const deadline = deps.now() + request.waitSeconds * 1000
  let received: ReceivedWebhook[] = []
  for (;;) {
    try {
      // Live events may arrive meanwhile; only test deliveries answer this question.
      received = (await receiver.receivedAfter(before)).filter((item) => item.liveMode !== true)
    } catch (error) {
      if (!(error instanceof ReceiverUnavailableError)) throw error
      return outcome('unavailable', received, error.message)
    }
    if (received.length >= test.testsRun) return outcome('received', received, null)
    if (deps.now() >= deadline) return outcome('incomplete', received, null)
    await deps.sleep(POLL_INTERVAL_MS)
  }
}

/**
 * A new tunnel URL is usually just `https://<new host>`: the path (`/receive-webhooks`) and the
 * tunnel's basic-auth credentials stay the same across restarts, so they are kept from the
 * current URL unless the new one has its own.
 */
export function carryOver(currentUrl: string, newUrl: string): string {
  const next = new URL(newUrl)
  let current: URL
  try {
    current = new URL(currentUrl)
  } catch {
    return newUrl
  }
  if (next.pathname === '/' && next.search === '' && !newUrl.endsWith('/')) {
    next.pathname = current.pathname
    next.search = current.search
  }
  if (next.username === '' && next.password === '') {
    next.username = current.username
    next.password = current.password
  }
  return next.href
}
