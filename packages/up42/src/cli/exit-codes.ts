/** Process exit codes of the `up42` command; documented in the README. */
export const EXIT_CODES = {
  OK: 0,
  /** UP42 answered with an error, could not be reached, or something else failed. */
  FAILURE: 1,
  /** Bad command line or input UP42 would reject (non-https URL, unknown event…). */
  USAGE: 2,
  /** Missing or rejected credentials, or access to the workspace denied. */
  AUTH: 3,
  /** The webhook id does not exist (UP42 answered 404). */
  NOT_FOUND: 4,
  /** `point`: the local receiver runs, but the test events did not arrive in time. */
  NOT_RECEIVED: 5,
} as const

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]
