/**
 * One poll: a run of a source connector that claims what is ready and queues one transfer per unit.
 *
 * Input: the poll job (poll id, connector, trigger). Output: for each claimed unit (a file, a page run
 * of an API), a transfer row and a transfer job of its own, so one unit never holds another; nothing
 * at all when nothing was claimed (an empty poll is no transfer; it is counted in
 * `cgic_polls_total{outcome="empty"}`). Transfer ids derive from (poll id, unit id).
 *
 * Crash: the claimed units are saved in the job right after the claim; a poll re-run by BullMQ finds
 * them and queues the same transfers again, which is a no-op for those already queued (the same
 * transfer id, the same job id).
 */
import type { Logger } from 'pino';
import type { SourceConnector, SourceUnit } from '../sdk/connector.ts';
import type { Metrics } from './metrics.ts';
import type { TransferJobData } from './transfer.ts';
import { derivedUuid } from './ids.ts';

export interface PollJobData {
  pollId: string;
  connectorId: string;
  trigger: 'schedule' | 'manual';
  dryRun?: boolean;
  /** The units claimed (saved before any transfer is queued, so a re-run finds them). */
  units?: SourceUnit[];
  /** What the claim left for later, with why (source.notReady). */
  skipped?: { name: string; reason: string }[];
}

export interface PollResult {
  /** One per claimed unit, in claim order; empty when the poll claimed nothing. */
  transferIds: string[];
  /** What the claim saw but left for a later run, with why (a file not settled yet). */
  skipped?: { name: string; reason: string }[];
}

export interface PollDeps {
  readonly metrics: Metrics;
  source(connectorId: string): SourceConnector;
  /** The connector's committed cursor (null: none). */
  cursor(connectorId: string): Promise<string | null>;
  /** Write the transfer row and queue its job (both idempotent on the transfer id). */
  queueTransfer(data: TransferJobData, source: string): Promise<void>;
}

export interface PollProgress {
  save(data: Partial<PollJobData>): Promise<void>;
  log: Logger;
}

/** The transfer of a unit claimed by a poll: the same poll and unit, the same id. */
export function transferIdFor(pollId: string, unit: SourceUnit): string {
  return derivedUuid(`transfer\u0000${pollId}\u0000${unit.id}`);
}

export async function runPoll(deps: PollDeps, data: PollJobData, progress: PollProgress): Promise<PollResult> {
  let units = data.units;
  let skipped = data.skipped ?? [];
  if (!units) {
    const source = deps.source(data.connectorId);
    try {
      units = await source.claim(await deps.cursor(data.connectorId));
    } catch (err) {
      deps.metrics.polls.inc({ connector: data.connectorId, outcome: 'failed' });
      throw err;
    }
    skipped = source.notReady?.() ?? [];
    await progress.save({ units, ...(skipped.length ? { skipped } : {}) });
  }
  const left = skipped.length ? { skipped } : {};
  if (units.length === 0) {
    deps.metrics.polls.inc({ connector: data.connectorId, outcome: 'empty' });
    progress.log.debug({ skipped: skipped.length }, 'poll: nothing to claim');
    return { transferIds: [], ...left };
  }
  const transferIds: string[] = [];
  for (const unit of units) {
    const transferId = transferIdFor(data.pollId, unit);
    await deps.queueTransfer(
      { transferId, connectorId: data.connectorId, trigger: data.trigger, unit, ...(data.dryRun ? { dryRun: true } : {}) },
      data.dryRun ? `${unit.name} (dry run)` : unit.name,
    );
    transferIds.push(transferId);
  }
  deps.metrics.polls.inc({ connector: data.connectorId, outcome: 'claimed' });
  progress.log.info({ units: units.length, skipped: skipped.length }, 'poll: one transfer queued per claimed unit');
  return { transferIds, ...left };
}
