import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, extname, join } from 'node:path'
import { gzipSync } from 'node:zlib'

/**
 * `src/inspector/client` of this package, found from the nearest package.json above this module,
 * so the same code works from `src/inspector/` and from a bundle in `dist/`.
 */
function defaultClientDir(from = import.meta.dirname): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${from}`)
    dir = parent
  }
  return join(dir, 'src', 'inspector', 'client')
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

export interface Asset {
  body: Uint8Array
  gzip: Uint8Array
  type: string
}

export interface Assets {
  /** Content hash of all files together: the URL segment that makes them cacheable forever. */
  version: string
  files: ReadonlyMap<string, Asset>
  /** Bytes of all files, and gzipped, for the record (`pnpm` has no build step to report it). */
  size: { raw: number; gzip: number }
}

/**
 * Loads the page's static files (plain ES modules and CSS, shipped in the package: no build
 * step, no CDN) once, compressed once. The version hash goes in the URL, so the browser may
 * cache them as immutable and a new release is fetched fresh.
 */
export function loadAssets(dir = defaultClientDir()): Assets {
  const files = new Map<string, Asset>()
  const hash = createHash('sha256')
  let raw = 0
  let gzip = 0
  for (const name of readdirSync(dir).sort()) {
    const type = TYPES[extname(name)]
    if (!type) continue
    const body = readFileSync(join(dir, name))
    const compressed = gzipSync(body, { level: 9 })
    hash.update(name).update(body)
    files.set(name, { body, gzip: compressed, type })
    raw += body.byteLength
    gzip += compressed.byteLength
  }
  return { version: hash.digest('hex').slice(0, 12), files, size: { raw, gzip } }
}
