import { connect } from 'node:net'
import type { RunningProgram } from '@up42-webhooks/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobEvent } from './inspector-helpers.ts'
import { startReceiver } from './receiver-process.ts'

const BASIC = `Basic ${btoa('relay:limits-pass')}`

/** Writes `request` on a raw socket, then half-closes it, and reads until the server closes. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request))
    let text = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(text))
  })
}

function post(port: number, body: string, extra: string[] = []): string {
  return [
    'POST /receive-webhooks HTTP/1.1',
    `Host: tunnel.example:${port}`,
    `Authorization: ${BASIC}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...extra,
    '',
    body,
  ].join('\r\n')
}

describe('the receiver process with basic auth', { timeout: 60_000 }, () => {
  let receiver: RunningProgram
  let port: number

  beforeAll(async () => {
    receiver = await startReceiver(
      { RECEIVER_DB: ':memory:', RECEIVER_USER: 'relay', RECEIVER_PASSWORD: 'limits-pass' },
      ['--quiet']
    )
    port = Number(new URL(receiver.url).port)
  })
  afterAll(() => receiver?.stop())

  it('Should say any Host is served', () => {
    expect(receiver.stdout() + receiver.stderr()).toContain('allowed hosts: any (basic auth is on)')
  })

  it('Should reply to a client that half-closes after its POST, under any Host', async () => {
    const reply = await exchange(port, post(port, jobEvent({ messageId: 'half-closed' })))
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(reply).toMatch(/\{"msg": "value with key 1 stored"\}\n$/)
  })

  it('Should answer 431 to 1,100 header fields', async () => {
    const fields = Array.from({ length: 1_100 }, (_, i) => `X-Field-${i}: ${i}`)
    const reply = await exchange(port, post(port, jobEvent({ messageId: 'many' }), fields))
    expect(reply).toMatch(/^HTTP\/1\.1 431 /)
    const dump = await fetch(`http://127.0.0.1:${port}/dump-webhooks`, {
      headers: { authorization: BASIC },
    })
    expect((await dump.text()).trimEnd().split('\n').at(-1)).toBe('{"number_webhooks_received": 1}')
  })
})
