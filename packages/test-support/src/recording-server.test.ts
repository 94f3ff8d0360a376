import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startRecordingServer, type RecordingServer } from './recording-server.ts'

let server: RecordingServer
beforeEach(async () => {
  server = await startRecordingServer()
})
afterEach(() => server.close())

describe('startRecordingServer', () => {
  it('records method, path, headers and the exact body bytes', async () => {
    const body = new Uint8Array([0x7b, 0xc3, 0xa4, 0x00, 0x7d])
    const response = await fetch(`${server.url}/receive-webhooks?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-trace': 't1' },
      body,
    })
    expect(response.status).toBe(200)
    expect(server.requests).toHaveLength(1)
    const [request] = server.requests
    expect(request).toMatchObject({ method: 'POST', path: '/receive-webhooks?x=1' })
    expect(request!.headers['x-trace']).toBe('t1')
    expect(request!.headers['content-type']).toBe('application/json')
    expect([...request!.body]).toEqual([...body])
  })

  it('answers from the script in order, then with the fallback', async () => {
    server.script({ status: 503, headers: { 'retry-after': '1' }, body: 'busy' }, (request) => ({
      status: 201,
      body: `got ${request.path}`,
    }))
    const first = await fetch(`${server.url}/a`)
    expect([first.status, first.headers.get('retry-after'), await first.text()]).toEqual([
      503,
      '1',
      'busy',
    ])
    const second = await fetch(`${server.url}/b`)
    expect([second.status, await second.text()]).toEqual([201, 'got /b'])
    const third = await fetch(`${server.url}/c`)
    expect([third.status, await third.text()]).toEqual([200, ''])
  })

  it('resets the connection when scripted to', async () => {
    server.script({ reset: true })
    await expect(fetch(`${server.url}/`)).rejects.toThrow(TypeError)
    expect(server.requests.map((r) => r.path)).toEqual(['/'])
  })

  it('received(n) resolves once n requests have arrived', async () => {
    const two = server.received(2)
    await fetch(`${server.url}/1`)
    await fetch(`${server.url}/2`)
    expect((await two).map((r) => r.path)).toEqual(['/1', '/2'])
    expect((await server.received(1)).length).toBe(2)
  })

  it('uses a given fallback', async () => {
    const other = await startRecordingServer({ fallback: { status: 418, body: 'teapot' } })
    try {
      const response = await fetch(other.url)
      expect([response.status, await response.text()]).toEqual([418, 'teapot'])
    } finally {
      await other.close()
    }
  })
})
