import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'destinations',
    include: ['src/**/*.test.ts'],
  },
})
