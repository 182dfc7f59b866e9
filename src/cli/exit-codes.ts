/** Exit codes of `cgic`, as `vector validate` uses them: scripts can tell bad work from bad config. */
export const EXIT = {
  OK: 0,
  /** The work ran and some of it failed (invalid records, failing golden tests). */
  FAILED: 1,
  /** The command line was wrong. */
  USAGE: 2,
  /** A configuration or mapping file is invalid (EX_CONFIG). */
  CONFIG: 78,
} as const;
