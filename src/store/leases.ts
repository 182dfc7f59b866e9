/** Leases (a scheduler leader) and once-claims (a schedule tick fired once): single-statement races. */
import { HubError } from '../errors/hub-error.ts';
import type { Db } from './db.ts';
import { iso, type Row } from './sql.ts';
import type { Lease } from './types.ts';

function toLease(r: Row): Lease {
  return { name: String(r.name), holder: String(r.holder), acquiredAt: iso(r.acquired_at), expiresAt: iso(r.expires_at) };
}
/**
 * Take the lease `name` for `ttlMs`: true when it was free, expired (taken over) or already ours
 * (renewed). One statement, so two contenders cannot both win. Times are the database's clock.
 */
export async function tryAcquireLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new HubError('HUB_ERR_STORE_OPTIONS', { option: 'ttlMs', reason: 'must be a positive number of milliseconds' });
  const rows = await db.query(
    `INSERT INTO leases (name, holder, acquired_at, expires_at)
     VALUES ($1, $2, clock_timestamp(), clock_timestamp() + $3 * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE
       SET holder = EXCLUDED.holder,
           expires_at = EXCLUDED.expires_at,
           acquired_at = CASE WHEN leases.holder = EXCLUDED.holder THEN leases.acquired_at ELSE EXCLUDED.acquired_at END
       WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= clock_timestamp()
     RETURNING holder`,
    [name, holder, Math.ceil(ttlMs)],
  );
  return rows.length === 1;
}

/** Give the lease up; true when `holder` held it. */
export async function releaseLease(db: Db, name: string, holder: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM leases WHERE name = $1 AND holder = $2 RETURNING name', [name, holder]);
  return rows.length === 1;
}

/** The current (unexpired) holder of a lease. */
export async function getLease(db: Db, name: string): Promise<Lease | undefined> {
  const rows = await db.query('SELECT * FROM leases WHERE name = $1 AND expires_at > clock_timestamp()', [name]);
  return rows[0] ? toLease(rows[0]) : undefined;
}

/** True only for the first caller ever to claim `name` (e.g. `schedule:<connector>:<fire-time-iso>`). */
export async function tryClaimOnce(db: Db, name: string, holder?: string): Promise<boolean> {
  const rows = await db.query(
    'INSERT INTO once_claims (name, holder) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name',
    [name, holder ?? null],
  );
  return rows.length === 1;
}

/** Forget claims older than `olderThanMs`; returns how many. */
export async function pruneOnceClaims(db: Db, olderThanMs: number): Promise<number> {
  const rows = await db.query(
    `DELETE FROM once_claims WHERE claimed_at < clock_timestamp() - $1 * interval '1 millisecond' RETURNING name`,
    [Math.max(0, Math.floor(olderThanMs))],
  );
  return rows.length;
}
