// pnpm bench:dump-memory — peak RSS of the receiver while it serves /dump-webhooks, /api/export
// and /api/timeline over 300 stored webhooks of 1 MiB each (issue 9: "dumps of 1 MiB rows use
// about 340 MB", "timeline ... 2.6 GB per request"). Each request runs in a fresh receiver
// process (the esbuild bundle on plain node, as in production), so its VmHWM is that request's
// own peak; the client reads as fast as the socket delivers. The baseline in the same run is
// the data itself: the database file's size, and the bytes each response carried.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { BUNDLE_MAIN, bundleReceiver } from '../packages/receiver/scripts/bundle.ts'
import { createSqliteStore } from '../packages/receiver/src/index.ts'

const ROWS = Number(process.env.ROWS ?? 300)
const ROW_BYTES = 1024 * 1024
const JOB_ID = 'job-memory'

/** A job.status body of exactly ROW_BYTES bytes. */
function body(i: number): Buffer {
  const head = { event: 'job.status', liveMode: true, messageId: `memory-${i}` }
  const inner = { id: JOB_ID, status: i === ROWS - 1 ? 'SUCCEEDED' : 'RUNNING', pad: '' }
  const empty = JSON.stringify({ ...head, timestamp: '2024-03-01T10:00:00Z', body: inner })
  inner.pad = 'x'.repeat(ROW_BYTES - Buffer.byteLength(empty))
  return Buffer.from(JSON.stringify({ ...head, timestamp: '2024-03-01T10:00:00Z', body: inner }))
}

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

function startReceiver(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BUNDLE_MAIN, '--quiet', '--port', '0', '--db', db], {
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.add(child)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) resolve({ child, url: match[1]! })
    })
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)))
  })
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  children.delete(child)
}

function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024
}

/** Reads a whole response as fast as the socket delivers; keeps only its size and status. */
function download(url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0
      res.on('data', (chunk: Buffer) => (bytes += chunk.byteLength))
      res.on('end', () => resolve({ status: res.statusCode!, bytes }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-dump-memory-'))
try {
  await bundleReceiver()
  const db = path.join(dir, 'webhooks.db')
  const store = createSqliteStore({ path: db })
  for (let i = 0; i < ROWS; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, ROWS - i) }, (_, j) =>
        store.insert({ body: body(i + j), headers: {}, verdict: 'unchecked' })
      )
    )
  }
  await store.close()
  const fileMb = statSync(db).size / 2 ** 20

  const row = (cells: string[]) => `| ${cells.join(' | ')} |`
  console.log(
    `\nreceiver memory: ${ROWS} stored webhooks of 1 MiB (database file ${fileMb.toFixed(0)} MiB), ` +
      `node ${process.version}, each request in a fresh receiver process\n`
  )
  console.log(row(['request', 'response', 'idle RSS', 'peak RSS', 'peak - idle']))
  console.log(row(['---', '---:', '---:', '---:', '---:']))
  for (const [name, route] of [
    ['GET /dump-webhooks', '/dump-webhooks'],
    ['GET /api/export', '/api/export'],
    ['GET /api/timeline (first page)', `/api/timeline?key=${JOB_ID}`],
  ] as const) {
    const receiver = await startReceiver(db)
    const pid = receiver.child.pid!
    await new Promise((resolve) => setTimeout(resolve, 500))
    const idle = memoryMb(pid, 'VmRSS')
    const { status, bytes } = await download(`${receiver.url}${route}`)
    const peak = memoryMb(pid, 'VmHWM')
    await stop(receiver.child)
    if (status !== 200) throw new Error(`${route} answered ${status}`)
    console.log(
      row([
        name,
        `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`,
        `${idle.toFixed(0)} MB`,
        `${peak.toFixed(0)} MB`,
        `${(peak - idle).toFixed(0)} MB`,
      ])
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
