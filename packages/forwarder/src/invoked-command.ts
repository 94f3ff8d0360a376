import path from 'node:path'

/** The workspace root's package.json name: its scripts need no `--filter`. */
const ROOT_PACKAGE = 'up42-webhooks'

/**
 * The command the user typed to start this program, for usage lines. Run by a pnpm script it is
 * `npx -y pnpm@<version> <script> --`, spelled as the READMEs spell it (pnpm hands `--` and what
 * follows to the program); run directly it is the script's path.
 */
export function invokedCommand(
  script: string,
  env: Record<string, string | undefined> = process.env,
  argv: readonly string[] = process.argv
): string {
  const pnpm = /^pnpm\/(\S+)/.exec(env.npm_config_user_agent ?? '')?.[1]
  if (pnpm && env.npm_lifecycle_event === script) {
    const pkg = env.npm_package_name
    const filter = pkg && pkg !== ROOT_PACKAGE ? ` --filter ${pkg}` : ''
    return `npx -y pnpm@${pnpm}${filter} ${script} --`
  }
  const file = argv[1] ? path.relative(process.cwd(), argv[1]) : script
  return `${file.endsWith('.ts') ? 'tsx' : 'node'} ${file}`
}
