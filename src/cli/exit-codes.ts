/**
 * Exit codes of `cgic`, as `vector validate` uses them, with sysexits.h for the rest: scripts can tell
 * bad work from bad configuration, a state conflict and a service that is down.
 */
export const EXIT = {
  OK: 0,
  /** The work ran and some of it failed (invalid records, failing golden tests, a replay that failed). */
  FAILED: 1,
  /** The command line was wrong. */
  USAGE: 2,
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
