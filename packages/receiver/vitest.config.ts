import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'receiver',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // the PostgreSQL store's tests need a server: TEST_DATABASE_URL or an embedded one
    globalSetup: ['./test/postgres-setup.ts'],
  },
})
