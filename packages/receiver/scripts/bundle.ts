import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export const BUNDLE_DIR = path.join(PACKAGE_DIR, 'dist')
/** What `node packages/receiver/dist/main.mjs` runs. */
export const BUNDLE_MAIN = path.join(BUNDLE_DIR, 'main.mjs')

/** npm dependencies stay imports (better-sqlite3 is native); workspace packages are TypeScript, so they are inlined. */
function npmDependencies(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }
  return Object.entries(pkg.dependencies)
    .filter(([, range]) => !range.startsWith('workspace:'))
    .map(([name]) => name)
}

/**
 * Bundles the receiver's process into `dist/` so production runs on plain `node`, without the
 * tsx loader and its ~30 MB. The inspector's client files are not copied: they are read from
 * `src/inspector/client` of this package.
 */
export async function bundleReceiver(): Promise<string[]> {
  const result = await build({
    entryPoints: { main: path.join(PACKAGE_DIR, 'src/main.ts') },
    outdir: BUNDLE_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: npmDependencies(),
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  })
  return Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.mjs'))
}
