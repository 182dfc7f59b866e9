/** Connector cursors: where the next poll resumes; committed with the records they cover. */
import type { Db } from './db.ts';

export async function getCursor(db: Db, connectorId: string): Promise<string | undefined> {
  const rows = await db.query<{ value: string }>('SELECT value FROM cursors WHERE connector_id = $1', [connectorId]);
  return rows[0]?.value;
}

/** Advance a connector's cursor; pass the chunk's `tx` so it commits with the records it covers. */
export async function setCursor(db: Db, connectorId: string, value: string, transferId?: string): Promise<void> {
  await db.query(
    `INSERT INTO cursors (connector_id, value, transfer_id, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (connector_id) DO UPDATE SET value = EXCLUDED.value, transfer_id = EXCLUDED.transfer_id, updated_at = now()`,
    [connectorId, value, transferId ?? null],
  );
}
