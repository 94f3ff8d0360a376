import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'shared',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // `#crypto` resolves with the `node` condition here: crypto/node.ts.
    provide: { cryptoAdapter: 'node' },
  },
})
