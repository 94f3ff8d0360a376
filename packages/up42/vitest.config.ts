import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'up42',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
})
