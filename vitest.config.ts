import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: ['packages/*', 'packages/shared/vitest.web.config.ts'],
    // `pnpm test` runs with --coverage, so CI (`.ci/run`) fails when a floor below is broken;
    // `vitest run <file>` while working stays fast and measures nothing.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.{ts,js,mjs}'],
      exclude: [
        '**/*.test.ts',
        '**/*.d.ts',
        // runs in Chromium (test/browser.test.ts), where V8 coverage of this process sees nothing
        'packages/receiver/src/inspector/client/**',
      ],
      reporter: ['text-summary', 'json-summary'],
      // Floors a little under what the suite measures (see the README), so a change that drops
      // tests or adds untested code fails; raise them as coverage grows. Code that only runs in a
      // spawned program (the mains) is not measured, hence the lower package floors.
      thresholds: {
        'packages/shared/src/**': { lines: 95, statements: 95, functions: 95, branches: 90 },
        'packages/forwarder/src/core/**': {
          lines: 95,
          statements: 94,
          functions: 92,
          branches: 85,
        },
        'packages/forwarder/src/**': { lines: 77, statements: 77, functions: 70, branches: 70 },
        'packages/receiver/src/**': { lines: 85, statements: 84, functions: 80, branches: 75 },
        'packages/up42/src/**': { lines: 92, statements: 90, functions: 88, branches: 82 },
        'packages/common/src/**': { lines: 95, statements: 95, functions: 95, branches: 90 },
        'packages/test-support/src/**': { lines: 90, statements: 88, functions: 85, branches: 70 },
      },
    },
  },
})
