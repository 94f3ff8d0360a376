import { startTsx, type RunningProgram } from '@up42-webhooks/test-support'
import { fileURLToPath } from 'node:url'

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url))

/** The parent's UP42/receiver settings must not leak into a child (pass as `dropEnv`). */
export const INHERITED_SETTINGS = /^(UP42_|RECEIVER_)/

/**
 * Starts the real receiver (`packages/receiver/src/main.ts`) in its own process on a free port;
 * resolves once it announced its URL and `/ping` answers there.
 */
export function startReceiver(env: Record<string, string>): Promise<RunningProgram> {
  return startTsx('packages/receiver/src/main.ts', [], {
    cwd: REPO_ROOT,
    env: { PORT: '0', HOST: '127.0.0.1', ...env },
    dropEnv: INHERITED_SETTINGS,
    readyPath: '/ping',
  })
}
