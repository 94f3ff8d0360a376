// The browser tests drive Debian's Chromium; the test command must work on a fresh machine,
// so install it here when it is missing rather than skipping those tests.
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    console.error(
      `Chromium is missing at ${CHROMIUM}; the browser tests need it. ` +
        'Run as root once, or: sudo apt-get update && sudo apt-get install -y chromium'
    )
    process.exit(1)
  }
  console.log(`Installing Chromium (${CHROMIUM} is missing) for the browser tests…`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  })
}
