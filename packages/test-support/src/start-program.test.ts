import { afterEach, describe, expect, it } from 'vitest'
import { startProgram, type RunningProgram } from './start-program.ts'

// Small servers written inline, run by this very Node: they pick their port (0) and announce it.
const SERVER = (before: string, after = '') => `
  const http = require('node:http')
  const server = http.createServer((req, res) => res.end(req.url === '/ping' ? 'PONG' : 'hi'))
  ${before}
  server.listen(0, '127.0.0.1', () => {
    ${after}
  })`
const url = "'http://127.0.0.1:' + server.address().port + '/'"

let running: RunningProgram | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
})

describe('startProgram', () => {
  it('resolves with the announced URL once the port accepts connections', async () => {
    running = await startProgram(process.execPath, [
      '-e',
      SERVER('', `console.log('listening on ' + ${url})`),
    ])
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await (await fetch(`${running.url}/`)).text()).toBe('hi')
  })

  it('waits for readyPath to answer when the line comes before the server listens', async () => {
    // The line names a port the server only binds later: a line-only wait would resolve early.
    const early = `
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const port = probe.address().port
        probe.close(() => {
          console.log('listening on http://127.0.0.1:' + port)
          setTimeout(() => server.listen(port, '127.0.0.1'), 300)
        })
      })`
    running = await startProgram(
      process.execPath,
      [
        '-e',
        `const http = require('node:http')
        const server = http.createServer((req, res) => res.end(req.url === '/ping' ? 'PONG' : 'hi'))
        ${early}`,
      ],
      { readyPath: '/ping' }
    )
    expect(await (await fetch(`${running.url}/ping`)).text()).toBe('PONG')
  })

  it('rejects with the output when the program exits before listening', async () => {
    await expect(
      startProgram(process.execPath, ['-e', "console.error('no database'); process.exit(2)"])
    ).rejects.toThrow(/exited \(2\) before listening:\s+no database/)
  })

  it('kills a program that never gets ready and rejects', async () => {
    await expect(
      startProgram(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 })
    ).rejects.toThrow(/did not get ready in time/)
  })

  it('passes env changes and drops matching variables', async () => {
    process.env.TS_DROPPED_VAR = 'leak'
    try {
      running = await startProgram(
        process.execPath,
        [
          '-e',
          SERVER(
            '',
            `console.log(JSON.stringify([process.env.TS_SET_VAR, process.env.TS_DROPPED_VAR ?? null]))
             console.log('listening on ' + ${url})`
          ),
        ],
        { env: { TS_SET_VAR: 'set' }, dropEnv: /^TS_DROPPED_/ }
      )
      expect(running.stdout()).toContain('["set",null]')
    } finally {
      delete process.env.TS_DROPPED_VAR
    }
  })

  it('stop() SIGKILLs and waits for the exit', async () => {
    running = await startProgram(process.execPath, [
      '-e',
      SERVER("process.on('SIGTERM', () => {})", `console.log('listening on ' + ${url})`),
    ])
    await running.stop()
    expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' })
    await expect(fetch(`${running.url}/`)).rejects.toThrow()
  })
})
