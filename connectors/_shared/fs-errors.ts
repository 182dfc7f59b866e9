/**
 * Who must act on a failed file operation: permission problems are the operator's (`config`), the
 * rest (missing mount, disk full, I/O error, lost session) may pass and are retried (`transient`).
 */
import { HubError } from '../../src/errors/hub-error.ts';

export const ACCESS_ERRNOS: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS']);

export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  const c = errnoOf(err);
  return c !== undefined && codes.includes(c);
}

/** A source-side file operation failed: HUB_ERR_CONNECTOR_ACCESS or HUB_ERR_CONNECTOR_IO. */
export function sourceFsError(connector: string, operation: string, path: string, err: unknown): HubError {
  const code = errnoOf(err);
  const reason = err instanceof Error ? err.message : String(err);
  return new HubError(
    code && ACCESS_ERRNOS.has(code) ? 'HUB_ERR_CONNECTOR_ACCESS' : 'HUB_ERR_CONNECTOR_IO',
    { connector, operation, path, reason },
    undefined,
    { cause: err },
  );
}
