/**
 * Admin actions taken at the command line are audited like API requests: the actor is the operating
 * system user (`cli:<user>`), the source the host name. The entry is written before the command
 * reports success; a command whose entry cannot be written fails.
 */
import os from 'node:os';
import type { AuditInput, AuditOutcome, AuditSubject } from '../store/index.ts';

export function operatorEntry(action: string, subjects: AuditSubject[], outcome: AuditOutcome, extra: { code?: string; reason?: string; detail?: Record<string, unknown> } = {}): AuditInput {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (a container's arbitrary uid): keep "unknown"
  }
  return {
    category: 'operator',
    action,
    actor: `cli:${user}`,
    subjects,
    outcome,
    source: os.hostname(),
    ...(extra.code ? { code: extra.code } : {}),
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.detail ? { detail: extra.detail } : {}),
  };
}
