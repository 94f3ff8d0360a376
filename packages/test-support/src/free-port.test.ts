import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { closedPortUrl, freePort } from './free-port.ts'

describe('freePort', () => {
  it('gives a port that can be listened on', async () => {
    const port = await freePort()
    expect(port).toBeGreaterThan(0)
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', resolve)
    })
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
})

describe('closedPortUrl', () => {
  it('gives a loopback URL that refuses connections', async () => {
    const url = await closedPortUrl()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await expect(fetch(url)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
  })
})
