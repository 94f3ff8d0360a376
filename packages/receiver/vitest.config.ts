import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'receiver',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
})
