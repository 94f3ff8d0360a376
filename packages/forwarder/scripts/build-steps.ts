import { execFileSync } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export const STEP_NAMES = ['validate', 'forward', 'relay'] as const
export type StepName = (typeof STEP_NAMES)[number]

/**
 * npm packages a step may import, with the range Pipedream installs. undici 8 needs Node 22,
 * Pipedream runs Node 20, so the pin is required, not cosmetic. `@pipedream/platform` provides
 * the ConfigurationError Pipedream shows as a configuration problem.
 */
export const PINNED_PACKAGES: Readonly<Record<string, string>> = {
  undici: 'undici@7',
  '@pipedream/platform': '@pipedream/platform@3',
}
/** Workspace code is inlined: a pasted step cannot import local files. */
const INLINED_SCOPE = '@up42-webhooks/'
/**
 * Small npm dependencies of shared, inlined with it so that a step runs the version the tests
 * ran (a few KB, where undici is ~1 MB and stays external).
 */
const INLINED_PACKAGES = new Set(['structured-headers'])
/**
 * Catches an npm package inlined by mistake (undici alone is ~1 MB), far above what our own code
 * needs: 128 KB leaves room for the largest step, relay (validate + forward + the destinations'
 * formats and Web sender, ~100 KB), to grow a little. The bundles stay unminified so a user can
 * read what they paste. Crypto is node:crypto, chosen by shared's `node` import condition
 * (esbuild's platform: 'node'): Pipedream runs Node.
 */
export const SIZE_BUDGET_BYTES = 128 * 1024

const EXPORT_LITERAL = 'export default defineComponent({'

export interface BuiltStep {
  step: StepName
  file: string
  bytes: number
}

export class BuildError extends Error {
  override name = 'BuildError'
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return 'unknown'
  }
}

const BUILTINS = new Set(builtinModules)

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0] ?? '')
}

/** Pins allowed packages, refuses every other npm import instead of silently inlining it. */
const pinPlugin: Plugin = {
  name: 'pin-npm-imports',
  setup(build) {
    // `#…` are package.json subpath imports (shared's `#crypto`): files of that package.
    build.onResolve({ filter: /^[^./#]/ }, (args) => {
      if (isBuiltin(args.path) || args.path.startsWith(INLINED_SCOPE)) return undefined
      if (INLINED_PACKAGES.has(args.path)) return undefined
      const pinned = PINNED_PACKAGES[args.path]
      if (pinned) return { path: pinned, external: true }
      return {
        errors: [
          {
            text: `"${args.path}" is not allowed in a step bundle: add it to PINNED_PACKAGES with a version range Pipedream's Node 20 supports`,
          },
        ],
      }
    })
  },
}

/**
 * esbuild writes `var x_default = defineComponent({…}); export { x_default as default };`.
 * Pipedream's examples (and users comparing with them) expect the literal form, so restore it.
 */
export function restoreExportDefault(code: string): string {
  const declaration = /^var (\w+) = defineComponent\(\{$/m.exec(code)
  if (!declaration) throw new BuildError('no `var x = defineComponent({` found in the bundle')
  const name = declaration[1] ?? ''
  const exportBlock = new RegExp(`^export \\{\\s*${name} as default\\s*\\};?\\s*$`, 'm')
  if (!exportBlock.test(code)) throw new BuildError(`no \`export { ${name} as default }\` found`)
  const rewritten = code.replace(declaration[0], EXPORT_LITERAL).replace(exportBlock, '')
  if (new RegExp(`\\b${name}\\b`).test(rewritten)) {
    throw new BuildError(`${name} is still referenced after restoring the default export`)
  }
  return rewritten
}

/** Import declarations to the top, where a reader (and Pipedream's package detection) looks. */
export function hoistImports(code: string): string {
  const imports: string[] = []
  const rest = code.replace(/^import [^;\n]+ from "[^"]+";\n/gm, (line) => {
    imports.push(line)
    return ''
  })
  return imports.join('') + rest
}

/** Every module specifier the bundle imports (static and dynamic). */
export function importedSpecifiers(code: string): string[] {
  const found = new Set<string>()
  for (const match of code.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/gm)) {
    found.add(match[1] ?? '')
  }
  for (const match of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.add(match[1] ?? '')
  for (const match of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g))
    found.add(match[1] ?? '')
  return [...found]
}

/** The rules a pasted Pipedream code step must satisfy; throws BuildError naming the first broken one. */
export function checkBundle(step: string, code: string): void {
  const literal = code.split(EXPORT_LITERAL).length - 1
  if (literal !== 1)
    throw new BuildError(`${step}: expected one "${EXPORT_LITERAL}", found ${literal}`)
  if (/\brequire\(/.test(code))
    throw new BuildError(`${step}: contains require( (a step is ESM only)`)
  if (/^export \{/m.test(code)) throw new BuildError(`${step}: has exports besides the default`)
  const allowed = new Set(Object.values(PINNED_PACKAGES))
  for (const specifier of importedSpecifiers(code)) {
    if (!isBuiltin(specifier) && !allowed.has(specifier)) {
      throw new BuildError(
        `${step}: imports "${specifier}", only Node built-ins and ${[...allowed].join(', ')} are allowed`
      )
    }
  }
  const bytes = Buffer.byteLength(code)
  if (bytes > SIZE_BUDGET_BYTES) {
    throw new BuildError(`${step}: ${bytes} bytes is over the ${SIZE_BUDGET_BYTES}-byte budget`)
  }
}

/** Bundles `src/steps/*.ts` into paste-ready `<outdir>/<step>.mjs` files. */
export async function buildSteps(options: { outdir?: string } = {}): Promise<BuiltStep[]> {
  const outdir = options.outdir ?? path.join(PACKAGE_DIR, 'dist', 'steps')
  const pkg = JSON.parse(await readFile(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    version: string
  }
  const commit = gitCommit()
  const result = await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: STEP_NAMES.map((step) => ({ in: `src/steps/${step}.ts`, out: step })),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    charset: 'utf8',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
    plugins: [pinPlugin],
  }).catch((error: unknown) => {
    throw new BuildError(
      `esbuild failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      }
    )
  })
  await mkdir(outdir, { recursive: true })
  const built: BuiltStep[] = []
  for (const step of STEP_NAMES) {
    const file = path.join(outdir, `${step}.mjs`)
    const output = result.outputFiles.find((out) => out.path === file)
    if (!output) throw new BuildError(`${step}: esbuild produced no ${file}`)
    const banner =
      `// @up42-webhooks/forwarder v${pkg.version} (${commit}): the "${step}" step.\n` +
      `// Paste this whole file into a Pipedream Node.js code step. Generated by scripts/build.ts; do not edit.\n`
    const code = banner + hoistImports(restoreExportDefault(output.text))
    checkBundle(step, code)
    await writeFile(file, code)
    built.push({ step, file, bytes: Buffer.byteLength(code) })
  }
  return built
}
