// pnpm bench:verify — verifications per second of a ~1.2 KB job.status webhook with a signed
// content-digest, through verifyWebhook and through a bare node:crypto baseline, measured
// interleaved in the same process. Target: verifyWebhook >= 0.8x the baseline.
import { createHmac, hash, timingSafeEqual } from 'node:crypto'
import { EXAMPLE_EVENTS, signWebhook, verifyWebhook } from '@up42-webhooks/shared'

const SECRET = 'QWZTFnMEXhqZKNmu'
const CREATED = 1658759606
const ROUNDS = 5
const SECONDS_PER_RUN = 3
const WARMUP_SECONDS = 1

const body = EXAMPLE_EVENTS.jobLive
const signed = await signWebhook({ body, secret: SECRET, created: CREATED })
// What a receiver sees: Node's lowercased IncomingHttpHeaders with the usual extras.
const headers: Record<string, string> = {
  host: 'relay.example.ngrok.app',
  'user-agent': 'UP42-Webhooks/1.0',
  'content-type': 'application/json',
  'content-length': String(Buffer.byteLength(body)),
  'accept-encoding': 'gzip',
  'x-forwarded-for': '203.0.113.7',
  'x-forwarded-proto': 'https',
  ...signed,
}
const options = { secret: SECRET, now: CREATED + 5, requireBodyDigest: true }

// Baseline: only the cryptographic work, with everything parseable parsed up front, through the
// same node:crypto calls as shared's node adapter (so the ratio is shared's own overhead).
const stringToSign = `${signed.date}${signed['content-digest']}`
const expectedMac = Buffer.from(signed.signature!.slice('up42-sig='.length), 'base64')
const expectedDigest = Buffer.from(
  signed['content-digest']!.slice('sha-256=:'.length, -1),
  'base64'
)
function baseline(): boolean {
  const mac = createHmac('sha256', SECRET).update(stringToSign).digest()
  const digest = hash('sha256', body, 'buffer')
  return timingSafeEqual(mac, expectedMac) && timingSafeEqual(digest, expectedDigest)
}

async function subject(): Promise<boolean> {
  return (await verifyWebhook({ headers, body }, options)).bodyCovered
}

if (!baseline() || !(await subject())) throw new Error('benchmark inputs do not verify')

async function measure(fn: () => boolean | Promise<boolean>, seconds: number) {
  let ops = 0
  const start = performance.now()
  const end = start + seconds * 1000
  // Check the clock every 64 calls so reading it costs nothing measurable.
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) if (!(await fn())) throw new Error('verification failed')
    ops += 64
  }
  return ops / ((performance.now() - start) / 1000)
}

const cases = [
  { name: 'verifyWebhook (shared)', fn: subject },
  { name: 'node:crypto baseline', fn: baseline },
] as const
for (const { fn } of cases) await measure(fn, WARMUP_SECONDS)
// Rounds alternate which case goes first; each round's ratio compares two neighbouring runs,
// so load from other processes on a shared machine mostly cancels out.
const subjectRuns: number[] = []
const baselineRuns: number[] = []
const ratios: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0]
  const opsPerSecond: number[] = []
  for (const index of order) opsPerSecond[index] = await measure(cases[index]!.fn, SECONDS_PER_RUN)
  subjectRuns.push(opsPerSecond[0]!)
  baselineRuns.push(opsPerSecond[1]!)
  ratios.push(opsPerSecond[0]! / opsPerSecond[1]!)
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
const format = (opsPerSecond: number) =>
  `${Math.round(opsPerSecond).toLocaleString('en')} | ${(1e6 / opsPerSecond).toFixed(2)}`
console.log(
  `body ${Buffer.byteLength(body)} B job.status, signed date + content-digest, requireBodyDigest; ` +
    `${ROUNDS} interleaved rounds of ${SECONDS_PER_RUN} s each, medians; node ${process.version}`
)
console.log('| case | ops/s | µs/op |')
console.log('| --- | ---: | ---: |')
console.log(`| ${cases[0].name} | ${format(median(subjectRuns))} |`)
console.log(`| ${cases[1].name} | ${format(median(baselineRuns))} |`)
console.log(
  `ratio verifyWebhook / baseline: ${median(ratios).toFixed(2)}x (median of per-round ratios ` +
    `${ratios.map((r) => r.toFixed(2)).join(', ')}; target >= 0.80x)`
)
