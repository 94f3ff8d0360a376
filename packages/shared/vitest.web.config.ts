import { defineProject } from 'vitest/config'

// The shared tests again, with `#crypto` resolved as a runtime without the `node` condition
// resolves it (Deno, workerd, browsers): crypto/web.ts, on Node's own Web Crypto.
export default defineProject({
  ssr: { resolve: { conditions: ['worker'] } },
  test: {
    name: 'shared (web crypto)',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/runtimes.test.ts', 'test/web-apis-only.test.ts'],
    provide: { cryptoAdapter: 'web' },
  },
})
