// pnpm bench:dump-memory — peak RSS of the receiver while it serves /dump-webhooks, /api/export
// and /api/timeline over 300 stored webhooks of 1 MiB each (issue 9: "dumps of 1 MiB rows use
// about 340 MB", "timeline ... 2.6 GB per request"), then while it takes an ~80 MB /api/import
// ("80 MB for 429 s with 3.5 GB"), with /ping called in a loop meanwhile. Each request runs in
// a fresh receiver process (the esbuild bundle on plain node, as in production), so its VmHWM
// is that request's own peak; the client reads as fast as the socket delivers. The baseline in
// the same run is the data itself: the database file's size, the bytes each response carried.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { get, request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { BUNDLE_MAIN, bundleReceiver } from '@up42-webhooks/receiver/bundle'
import { createSqliteStore } from '@up42-webhooks/receiver'
import { toWebhookInput } from '@up42-webhooks/receiver/intake'

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

/** POSTs `body` to /api/import while /ping is called in a loop; the pings' worst wait. */
async function importWhilePinging(
  url: string,
  body: Buffer
): Promise<{ status: number; seconds: number; pings: number; worstPingMs: number }> {
  const started = performance.now()
  let done = false
  const upload = new Promise<number>((resolve, reject) => {
    const req = request(`${url}/api/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'content-length': body.byteLength },
    })
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode!))
    })
    req.on('error', reject)
    req.end(body)
  }).finally(() => (done = true))
  let pings = 0
  let worstPingMs = 0
  while (!done) {
    const at = performance.now()
    await (await fetch(`${url}/ping`)).text()
    worstPingMs = Math.max(worstPingMs, performance.now() - at)
    pings++
  }
  const status = await upload
  return { status, seconds: (performance.now() - started) / 1000, pings, worstPingMs }
}

/** An export line (the format of /api/export) for body `i`. */
const importLine = (i: number) =>
  JSON.stringify({
    bodyBase64: body(i).toString('base64'),
    receivedAt: '2024-03-01T10:00:00.000Z',
    headers: { 'content-type': 'application/json' },
    verdict: 'unchecked',
  })

const dir = mkdtempSync(path.join(tmpdir(), 'bench-dump-memory-'))
try {
  await bundleReceiver()
  const db = path.join(dir, 'webhooks.db')
  const store = createSqliteStore({ path: db })
  for (let i = 0; i < ROWS; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, ROWS - i) }, (_, j) =>
        store.insert(toWebhookInput({ body: body(i + j), headers: {}, verdict: 'unchecked' }))
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

  // ~80 MB: 57 records of 1 MiB (the body limit), then one bad line that refuses them all
  const lines = Array.from({ length: 57 }, (_, i) => importLine(ROWS + i))
  const valid = Buffer.from(`${lines.join('\n')}\n`)
  const refused = Buffer.from(`${lines.join('\n')}\n{"bodyBase64": "not base64!"}\n`)
  console.log('')
  console.log(
    row(['request', 'upload', 'answer', 'time', 'pings meanwhile', 'worst ping', 'peak - idle'])
  )
  console.log(row(['---', '---:', '---:', '---:', '---:', '---:', '---:']))
  for (const [name, upload] of [
    ['POST /api/import, last line bad', refused],
    ['POST /api/import, all valid', valid],
  ] as const) {
    const receiver = await startReceiver(path.join(dir, `import-${upload.byteLength}.db`))
    const pid = receiver.child.pid!
    await new Promise((resolve) => setTimeout(resolve, 500))
    const idle = memoryMb(pid, 'VmRSS')
    const result = await importWhilePinging(receiver.url, upload)
    const peak = memoryMb(pid, 'VmHWM')
    await stop(receiver.child)
    console.log(
      row([
        name,
        `${(upload.byteLength / 2 ** 20).toFixed(0)} MiB`,
        String(result.status),
        `${result.seconds.toFixed(2)} s`,
        String(result.pings),
        `${result.worstPingMs.toFixed(0)} ms`,
        `${(peak - idle).toFixed(0)} MB`,
      ])
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
