import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { TriggerContext } from './steps/pipedream-types.ts'
import type { HttpTriggerEvent } from './steps/trigger-event.ts'

/** A re-run waiting in the spool directory. */
export interface SpooledRerun {
  event: HttpTriggerEvent
  trigger: Required<TriggerContext>
  runs: number
  rerunContext: unknown
  dueAt: number
}

/**
 * Where the local relay keeps the re-runs it promised (202) to carry out: one JSON file per trace
 * id, written before the sender's reply and deleted once the re-run is done. Without a directory
 * every call is a no-op and re-runs live only in memory.
 */
export interface RerunSpool {
  save(record: SpooledRerun): Promise<void>
  remove(traceId: string): Promise<void>
  /** Every spooled re-run; a file that is not one is moved aside (`*.corrupt`) with a warning. */
  load(): Promise<SpooledRerun[]>
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Checks what a spool file holds before it is trusted with a re-run; throws saying what is off. */
function parseSpooled(text: string, expectedName: (traceId: string) => string, name: string) {
  const record = JSON.parse(text) as Partial<SpooledRerun> | null
  const isObject = (value: unknown) => typeof value === 'object' && value !== null
  if (!isObject(record)) throw new Error('not a JSON object')
  const { event, trigger, runs, dueAt } = record as Partial<SpooledRerun>
  if (!isObject(event) || !isObject(event?.headers)) throw new Error('no event with headers')
  if (![trigger?.id, trigger?.trace_id, trigger?.ts].every((v) => typeof v === 'string'))
    throw new Error('no trigger context')
  if (!Number.isInteger(runs) || (runs ?? 0) < 1) throw new Error('no run number')
  if (typeof dueAt !== 'number' || !Number.isFinite(dueAt)) throw new Error('no due time')
  // Finishing a re-run deletes the file named after its trace id; any other name would stay.
  if (path.basename(expectedName(trigger?.trace_id ?? '')) !== name)
    throw new Error('its trace id does not match the file name')
  return record as SpooledRerun
}

export function createRerunSpool(
  spoolDir: string | undefined,
  warn: (line: string) => void
): RerunSpool {
  const spoolFile = (traceId: string) =>
    path.join(spoolDir ?? '', `${traceId.replace(/[^\w-]/g, '_')}.json`)

  return {
    async save(record) {
      if (!spoolDir) return
      await mkdir(spoolDir, { recursive: true })
      const file = spoolFile(record.trigger.trace_id)
      await writeFile(`${file}.tmp`, JSON.stringify(record), { flush: true })
      await rename(`${file}.tmp`, file)
    },

    async remove(traceId) {
      if (spoolDir) await rm(spoolFile(traceId), { force: true })
    },

    async load() {
      if (!spoolDir) return []
      const names = await readdir(spoolDir).catch(() => [] as string[])
      const records: SpooledRerun[] = []
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        const file = path.join(spoolDir, name)
        try {
          records.push(parseSpooled(await readFile(file, 'utf8'), spoolFile, name))
        } catch (error) {
          // One bad file (a crash mid-edit, a hand-made copy) must not keep the others from running.
          const moved = await rename(file, `${file}.corrupt`).then(
            () => true,
            () => false
          )
          warn(
            `warning: spool file ${file} is not a re-run (${errorMessage(error)}); ` +
              (moved ? `moved aside to ${name}.corrupt` : 'could not move it aside')
          )
        }
      }
      return records
    },
  }
}
