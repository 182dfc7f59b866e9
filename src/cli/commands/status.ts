/**
 * `cgic status`: what the running hub is doing, on one screen, from its API: whether it is ready
 * (`/readyz`: Redis and the store), each connector (health, schedule, last run, data in the last 24 h,
 * gone quiet past its cadence), each destination (health, deliveries waiting and failing, dead
 * letters), and the dead letters and set-aside rows waiting for someone. It ends with what needs
 * attention, one line each with the command that shows more.
 *
 * Exit 0 when nothing needs attention, 1 when something does (a script or a monitor can run it), 69
 * when the hub does not answer or is not ready. Every read is on the hub's audit trail, as the
 * console's are.
 */
import { HubError } from '../../errors/hub-error.ts';
import type { Transfer } from '../../store/types.ts';
import type { FeedState } from '../../server/feeds.ts';
import type { DestinationLedger } from '../../store/activity.ts';
import { EXIT } from '../exit-codes.ts';
import { oneLine, out } from '../output.ts';
import { HubClient, type ClientOptions } from '../hub-client.ts';

export interface StatusOptions extends ClientOptions {
  json?: boolean;
}

interface ConnectorState {
  id: string;
  kind: string;
  agency: string;
  enabled: boolean;
  schedule: string | null;
  nextRun: string | null;
  paused: { at: string; by: string } | null;
  lastRun: Transfer | null;
  health: { ok: boolean; detail?: string; checkedAt?: string };
}

/** A destination as GET /api/destinations gives it: its ledger's state with its identity and check. */
interface DestinationState extends Omit<DestinationLedger, 'destinationId'> {
  id: string;
  kind: string;
  agency: string;
  enabled: boolean;
  health: { ok: boolean; detail?: string };
}

interface Readiness {
  ok: boolean;
  redis: string;
  store: string;
}

export interface HubStatus {
  url: string;
  ready: Readiness;
  connectors: (ConnectorState & { feed: FeedState | null })[];
  destinations: DestinationState[];
  deadLettersPending: number;
  quarantineOpen: number;
  attention: string[];
}

const FAILED_RUN = new Set(['failed', 'partial']);

/** The lines that need someone, each with where to look next. */
function attentionOf(s: Omit<HubStatus, 'attention'>): string[] {
  const a: string[] = [];
  if (!s.ready.ok) a.push(`the hub is not ready: Redis ${s.ready.redis}; store ${s.ready.store}`);
  for (const c of s.connectors) {
    if (!c.enabled) continue;
    if (!c.health.ok) a.push(`connector ${c.id}: its check fails: ${c.health.detail ?? 'no detail'}`);
    if (c.lastRun && FAILED_RUN.has(c.lastRun.status)) a.push(`connector ${c.id}: its last run ${c.lastRun.id} ${c.lastRun.status}${c.lastRun.error ? `: ${c.lastRun.error}` : ''} (cgic transfers --connector ${c.id})`);
    if (c.feed?.quietSince) a.push(`connector ${c.id}: no data since ${c.feed.quietSince}, past its expectEvery of ${duration(c.feed.expectEverySeconds ?? 0)}`);
  }
  for (const d of s.destinations) {
    if (!d.enabled) continue;
    if (!d.health.ok) a.push(`destination ${d.id}: its check fails: ${d.health.detail ?? 'no detail'}`);
    if (d.failing > 0) a.push(`destination ${d.id}: ${count(d.failing, 'delivery', 'deliveries')} failing, to be retried${d.lastError ? `; last error: ${d.lastError}` : ''}`);
  }
  if (s.deadLettersPending > 0) a.push(`${count(s.deadLettersPending, 'dead letter')} not replayed (cgic dead-letters list)`);
  if (s.quarantineOpen > 0) a.push(`${count(s.quarantineOpen, 'row')} set aside and not resolved (console: Quarantine; GET /api/quarantine?status=open)`);
  return a;
}

const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function duration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Read everything `cgic status` shows from the hub `c`. */
export async function readStatus(c: HubClient): Promise<HubStatus> {
  const ready = await c.probe<Readiness>('/readyz');
  if (!ready || typeof ready.ok !== 'boolean') throw new HubError('HUB_ERR_CLI_HUB_UNREACHABLE', { url: c.url, reason: '/readyz gave no answer the hub would give' });
  if (!ready.ok) {
    const base = { url: c.url, ready, connectors: [], destinations: [], deadLettersPending: 0, quarantineOpen: 0 };
    return { ...base, attention: attentionOf(base) };
  }
  const [connectors, destinations, overview, dead, quarantine] = await Promise.all([
    c.request<ConnectorState[]>('GET', '/api/connectors'),
    c.request<DestinationState[]>('GET', '/api/destinations'),
    c.request<{ connectors: FeedState[] }>('GET', '/api/overview?hours=24'),
    c.request<{ total: number }>('GET', '/api/dead-letters?pending=true&limit=1'),
    c.request<{ total: number }>('GET', '/api/quarantine?status=open&limit=1'),
  ]);
  const feeds = new Map(overview.connectors.map((f) => [f.connectorId, f]));
  const base = {
    url: c.url,
    ready,
    connectors: connectors.map((k) => ({ ...k, feed: feeds.get(k.id) ?? null })),
    destinations,
    deadLettersPending: dead.total,
    quarantineOpen: quarantine.total,
  };
  return { ...base, attention: attentionOf(base) };
}

/** Columns padded to their widest cell; the `numeric` ones aligned right. */
function table(head: string[], rows: string[][], numeric: readonly number[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((cell, i) => (numeric.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The screen `cgic status` prints. */
export function statusLines(s: HubStatus): string[] {
  const lines = [`hub at ${s.url}: ${s.ready.ok ? 'ready' : 'NOT READY'} (store ${s.ready.store}; Redis ${s.ready.redis})`];
  if (s.connectors.length) {
    lines.push('');
    const rows = s.connectors.map((c) => {
      const state = !c.enabled ? 'disabled' : !c.health.ok ? 'FAILING' : c.feed?.quietSince ? 'QUIET' : c.paused ? 'paused' : 'ok';
      const last = c.lastRun ? `${c.lastRun.status} ${c.lastRun.finishedAt ?? c.lastRun.startedAt ?? c.lastRun.createdAt}` : 'never run';
      const schedule = c.schedule ? (c.paused ? `${c.schedule} (paused)` : `${c.schedule}, next ${c.nextRun ?? '-'}`) : c.kind === 'webhook' ? 'on request' : 'by hand';
      const feed = c.feed;
      return [c.id, c.kind, c.agency, state, oneLine(last), schedule, feed ? String(feed.rowsReadLast24h) : '-', feed ? String(feed.recordsLast24h) : '-', feed?.lastDataAt ?? 'none'];
    });
    lines.push(...table(['CONNECTOR', 'KIND', 'AGENCY', 'STATE', 'LAST RUN', 'SCHEDULE', 'ROWS 24H', 'STORED 24H', 'LAST DATA'], rows, [6, 7]));
  }
  if (s.destinations.length) {
    lines.push('');
    const rows = s.destinations.map((d) => {
      const state = !d.enabled ? 'disabled' : !d.health.ok ? 'FAILING' : d.failing > 0 ? 'RETRYING' : 'ok';
      return [d.id, d.kind, d.agency, state, String(d.pending), String(d.failing), String(d.deadLetters), d.oldestPendingAt ?? '-', d.lastDeliveredAt ?? 'never'];
    });
    lines.push(...table(['DESTINATION', 'KIND', 'AGENCY', 'STATE', 'WAITING', 'FAILING', 'DEAD', 'OLDEST WAITING', 'LAST DELIVERED'], rows, [4, 5, 6]));
  }
  lines.push('');
  if (s.attention.length === 0) lines.push('nothing needs attention');
  else {
    lines.push(`needs attention (${s.attention.length}):`);
    for (const a of s.attention) lines.push(`  - ${oneLine(a)}`);
  }
  return lines;
}

export async function statusCommand(opts: StatusOptions): Promise<number> {
  const c = HubClient.require(opts);
  const s = await readStatus(c);
  if (opts.json) out(JSON.stringify(s, null, 2));
  else for (const l of statusLines(s)) out(l);
  if (!s.ready.ok) return EXIT.UNAVAILABLE;
  return s.attention.length ? EXIT.FAILED : EXIT.OK;
}
