/**
 * vitest globalSetup: one PostgreSQL server for the receiver's tests (`TEST_DATABASE_URL`, or an
 * embedded one started here and stopped afterwards); each test makes its own database on it.
 */
import { startPostgresForTests } from '@up42-webhooks/test-support'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresForTests()
  project.provide('postgresUrl', server.url)
  return () => server.stop()
}
