import path from 'node:path'
import { buildSteps, BuildError } from './build-steps.ts'

try {
  for (const { file, bytes } of await buildSteps()) {
    console.log(`${path.relative(process.cwd(), file)}  ${(bytes / 1024).toFixed(1)} KB`)
  }
} catch (error) {
  console.error(error instanceof BuildError ? `build failed: ${error.message}` : error)
  process.exitCode = 1
}
