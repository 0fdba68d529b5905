/**
 * Exit codes (documented in the README):
 *   0 ok
 *   1 fatal: nothing useful was produced (bad arguments, unreadable input, internal error)
 *   2 usage error (unknown flag, missing argument)
 *   3 loaded, but some records were skipped (only with --strict; otherwise skipped records are
 *     reported and the exit code is 0)
 *   4 no telemetry found in the inputs
 */
export const EXIT = {
  OK: 0,
  FATAL: 1,
  USAGE: 2,
  SKIPPED: 3,
  NO_DATA: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error meant for the user: printed once, without a stack (unless --debug). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FATAL,
  ) {
    super(message);
  }
}

/** A SQL statement failed; names the .sql file so the user (or we) can find it. */
export class SqlError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`SQL file ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
