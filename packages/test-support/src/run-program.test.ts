import { writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { childEnv, runProgram, runTsx } from './run-program.ts'
import { createTempDir, type TempDir } from './temp-dir.ts'

let dir: TempDir
beforeAll(async () => {
  dir = await createTempDir()
})
afterAll(() => dir.remove())

describe('runProgram', () => {
  it('feeds stdin and collects stdout, stderr and the exit code', async () => {
    const result = await runProgram(
      process.execPath,
      [
        '-e',
        `let s = ''; process.stdin.on('data', (c) => (s += c)).on('end', () => {
         process.stdout.write(s.toUpperCase()); process.stderr.write('warn'); process.exit(3) })`,
      ],
      { input: 'päss' }
    )
    expect(result).toEqual({ code: 3, signal: null, stdout: 'PÄSS', stderr: 'warn' })
  })

  it('runs the program as the given user and group', async () => {
    // as root: nobody, so a test can see what an unprivileged user may do; else our own ids
    const [uid, gid] =
      process.getuid!() === 0 ? [65534, 65534] : [process.getuid!(), process.getgid!()]
    const result = await runProgram(
      process.execPath,
      ['-e', 'console.log(process.getuid(), process.getgid())'],
      { uid, gid }
    )
    expect(result.stdout).toBe(`${uid} ${gid}\n`)
  })

  it('rejects when the program cannot be started', async () => {
    await expect(runProgram('/nonexistent/program', [])).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('runTsx', () => {
  it('runs a TypeScript file', async () => {
    const file = dir.file('hello.ts')
    await writeFile(file, 'const n: number = 6 * 7\nconsole.log(`${n}`, process.argv[2])\n')
    const result = await runTsx(file, ['arg'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('42 arg\n')
  })
})

describe('childEnv', () => {
  it('applies changes, removes undefined ones and drops matching variables', () => {
    process.env.TS_KEEP = 'k'
    process.env.TS_GONE = 'g'
    try {
      const env = childEnv({ env: { TS_NEW: 'n', TS_KEEP: undefined }, dropEnv: /^TS_GONE$/ })
      expect(env.TS_NEW).toBe('n')
      expect('TS_KEEP' in env).toBe(false)
      expect('TS_GONE' in env).toBe(false)
      expect(env.PATH).toBe(process.env.PATH)
    } finally {
      delete process.env.TS_KEEP
      delete process.env.TS_GONE
    }
  })
})
