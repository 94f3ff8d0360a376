// Deno and Bun run this TypeScript file as it is, resolving `#crypto` through package.json
// with their own import conditions; it prints what test/runtimes.test.ts compares.
import { runVectors } from '../vectors.ts'

console.log(JSON.stringify(await runVectors()))
