import { describe, expect, it } from 'vitest'
import { serveFetch } from './serve-fetch.ts'

describe('serveFetch', () => {
  it('serves a fetch handler on 127.0.0.1 and closes', async () => {
    const served = await serveFetch(
      async (request) => new Response(`${request.method} ${new URL(request.url).pathname}`)
    )
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await (await fetch(`${served.url}/x`, { method: 'PUT' })).text()).toBe('PUT /x')
    await served.close()
    await expect(fetch(served.url)).rejects.toThrow(TypeError)
  })
})
