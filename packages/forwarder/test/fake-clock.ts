/** A clock whose sleep returns at once and moves time forward, so retry tests never wait. */
export function createFakeClock(start = 1_700_000_000_000) {
  let current = start
  const sleeps: number[] = []
  return {
    now: () => current,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      current += ms
    },
    advance: (ms: number) => {
      current += ms
    },
    sleeps,
  }
}
