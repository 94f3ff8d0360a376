import type { Context } from 'hono'
import type { HttpBindings } from '@hono/node-server'

/** Where a pulled response body comes from, one piece at a time. */
export interface BodySource {
  /** The next piece of the body, or null after the last one. */
  next(): Promise<Uint8Array | null>
  /** The client went away: release what `next` holds (a store iterator). */
  close(): Promise<void>
}

/**
 * A streamed response body (dump, export) that reads its source only as fast as the client
 * takes it: nothing before the first read (HEAD reads nothing), then one piece per read, and
 * the node adapter reads again only after the socket's `drain`. Memory is one piece plus the
 * socket's buffer, whatever the number or size of the rows.
 *
 * An error after the `200` went out must not look like success. Erroring the stream is not
 * enough on a socket: @hono/node-server then writes `Error: <message>` as a last chunk and ends
 * the chunked body properly, so the client sees a complete 200. The connection is destroyed
 * instead, which the client sees as a failed transfer. Without a socket (`app.request()` in
 * tests) the stream is errored.
 */
export function pulledBody(
  c: Context,
  source: BodySource,
  onError: (error: unknown) => void
): ReadableStream<Uint8Array> {
  const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let piece: Uint8Array | null
        try {
          piece = await source.next()
        } catch (error) {
          onError(error)
          if (socket === undefined) {
            controller.error(error)
            return
          }
          // the adapter sees the socket close and cancels the stream, which closes the source
          socket.destroy()
          return
        }
        if (piece === null) controller.close()
        else controller.enqueue(piece)
      },
      cancel: () => source.close(),
    },
    { highWaterMark: 0 }
  )
}
