/**
 * Upkeep of the audit trail, run by a process with the scheduler role every `hub.audit.checkpointMinutes`
 * (one process per slot: a once-claim in the store):
 * 1. prune entries older than `hub.audit.retentionDays`, under a signed checkpoint over the last one pruned;
 * 2. sign the chain's head as a checkpoint (an anchor), if it moved since the last checkpoint.
 * Without `hub.audit.signingKey` neither happens: the hub says so once at start.
 */
import type { Logger } from 'pino';
import type { AuditConfig } from '../config/hub-config.ts';
import type { Store } from '../store/index.ts';

export interface AuditMaintenanceResult {
  pruned: number;
  prunedThrough: number | null;
  anchoredAt: number | null;
}

export async function maintainAudit(store: Store, audit: AuditConfig, key: string, log: Logger, now: Date = new Date()): Promise<AuditMaintenanceResult> {
  const before = new Date(now.getTime() - audit.retentionDays * 86_400_000);
  const p = await store.pruneAudit(key, before);
  if (p.pruned) log.info({ pruned: p.pruned, through: p.checkpoint?.position }, 'audit entries past retention pruned under a signed checkpoint');
  const a = await store.anchorAudit(key);
  return { pruned: p.pruned, prunedThrough: p.checkpoint?.position ?? null, anchoredAt: a?.position ?? null };
}

/** The signing key's minimum length: an HMAC key shorter than the hash is guessable sooner. */
export const MIN_SIGNING_KEY_LENGTH = 32;
