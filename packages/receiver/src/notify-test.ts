/**
 * `pnpm --filter @up42-webhooks/receiver notify-test [-- flags]`: the receiver's
 * `--test-destinations`. The flag goes last, so the `--` pnpm passes on stays in front, where
 * the receiver's flag parser expects it.
 */
process.argv.push('--test-destinations')
await import('./main.ts')
