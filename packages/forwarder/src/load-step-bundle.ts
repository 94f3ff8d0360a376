import { register } from 'node:module'
import { pathToFileURL } from 'node:url'
import { installDefineComponent, type StepComponent } from './pipedream-runtime.ts'

/**
 * Packages the step bundles import pinned (`undici@7`, `@pipedream/platform@3`); they resolve to
 * this package's copy.
 */
const PINNED_PACKAGES = ['undici', '@pipedream/platform']

let registered = false

/** Maps `undici@7`-style imports to the installed packages for every later `import()`. */
export function registerPinnedImports(): void {
  if (registered) return
  register('./pinned-imports-hooks.mjs', import.meta.url, {
    data: { parentURL: import.meta.url, packages: PINNED_PACKAGES },
  })
  registered = true
}

/**
 * Imports a built `dist/steps/*.mjs` the way Pipedream runs it: plain ESM with the
 * `defineComponent` global, its pinned imports resolved to installed packages.
 */
export async function loadStepBundle(file: string): Promise<StepComponent> {
  installDefineComponent()
  registerPinnedImports()
  const module = (await import(pathToFileURL(file).href)) as { default?: StepComponent }
  if (typeof module.default?.run !== 'function') {
    throw new TypeError(`${file} does not default-export a component with run()`)
  }
  return module.default
}
