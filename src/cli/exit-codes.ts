/**
 * Exit codes of `cgic`, as `vector validate` uses them, with sysexits.h for the rest: scripts can tell
 * bad work from bad configuration, a missing input file, a state conflict and a service that is down.
 */
export const EXIT = {
  OK: 0,
  /** The work ran and some of it failed (invalid records, failing golden tests, a replay that failed). */
  FAILED: 1,
  /** The command line was wrong. */
  USAGE: 2,
  /**
   * The input data file named on the command line does not exist or cannot be read (EX_NOINPUT): e.g.
   * `cgic map` given a wrong path. A missing mapping or configuration file is CONFIG.
   */
  NOINPUT: 66,
  /** Redis or the database is not available (EX_UNAVAILABLE): try again once it is back. */
  UNAVAILABLE: 69,
  /**
   * The request conflicts with the current state (EX_TEMPFAIL): e.g. the dead letter was replayed
   * already, the connector is disabled. Nothing was done; check the state and retry if it still applies.
   */
  CONFLICT: 75,
  /** A configuration or mapping file is invalid (EX_CONFIG). */
  CONFIG: 78,
} as const;
