import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'forwarder',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup-define-component.ts'],
  },
})
