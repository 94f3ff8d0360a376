// Prints how long `import()` of one step bundle takes in this fresh process (used by
// bench/relay.ts): Node's ESM loader, undici@7 mapped to the installed undici, as relay-main does.
import { pathToFileURL } from 'node:url'
import { registerPinnedImports } from '../src/load-step-bundle.ts'
import { installDefineComponent } from '../src/pipedream-runtime.ts'

const file = process.argv[2]
if (!file) {
  process.stderr.write('usage: measure-import.ts <bundle.mjs>\n')
  process.exit(2)
}
installDefineComponent()
registerPinnedImports()
const started = performance.now()
await import(pathToFileURL(file).href)
process.stdout.write(`${(performance.now() - started).toFixed(2)}\n`)
