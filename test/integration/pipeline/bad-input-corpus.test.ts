/**
 * The bad-input corpus (fixtures/bad-input: malformed and hostile CSV, XML, JSON, NDJSON, fixed-width
 * segments, encodings, file names, sizes and webhook requests) through one real hub on Redis and
 * PostgreSQL, as dropped files (directory connectors) and as signed webhook bodies. For every case:
 * the transfer's status and the codes of its quarantine sightings are the ones the case expects, every
 * good row of the input is stored and nothing else is, `read = mapped + invalid`, every message and
 * payload is within its bound; after each batch of cases the hub still answers /healthz and /readyz
 * and a valid file and a valid webhook body sent after the batch are stored.
 *
 * The same hub runs the README demo (config/cgic.yaml: the scenario's lab export, trace results, a
 * webhook, the NIBIN lead notice and its update) before the corpus, with its pino logs captured at
 * debug: no log line names a person, a phone number, a case number or a serial of the demo's fixtures
 * or of the corpus (the values are read from the fixture files themselves).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import iconv from 'iconv-lite';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml, stringify } from 'yaml';
import { Hub } from '../../../src/runtime/hub.ts';
import { sign } from '../../../connectors/webhook/index.ts';
import { MESSAGE_MAX_CHARS, PAYLOAD_MAX_CHARS, VALUE_EXCERPT_CHARS } from '../../../src/errors/excerpt.ts';
import { dropQueues, freshDatabase, PROJECT_ROOT, REDIS_URL, pollNow, waitFor } from '../../support/hub-harness.ts';
import {
  CASES,
  CORPUS_DIR,
  CORPUS_LIMITS,
  CORPUS_MAPPINGS,
  CORPUS_ORI,
  CORPUS_WEBHOOK_MAX_BYTES,
  goodRows,
  labelledRows,
  type BadInputCase,
  type CorpusMapping,
  type Family,
  type Via,
} from '../../../fixtures/bad-input/cases.ts';
import type { Transfer } from '../../../src/store/types.ts';

const SECRET = 'corpus-webhook-secret-0123456789abcdef0123456789';
const SCENARIO = path.join(PROJECT_ROOT, 'fixtures/scenario');
const FAMILIES: readonly Family[] = ['csv', 'xml', 'json', 'ndjson', 'fixed-width', 'encoding', 'sizes', 'file-names', 'webhook'];

/** The connector that reads a case: one per mapping, limits and way in. */
const connectorId = (mapping: CorpusMapping, limits: 'corpus' | 'default', via: Via): string =>
  `corpus-${mapping}${limits === 'default' ? '-default' : ''}-${via === 'directory' ? 'drop' : 'hook'}`;
const caseConnector = (c: BadInputCase, via: Via): string => connectorId(c.mapping, c.limits, via);

interface CaseRun {
  batch: Family;
  transferId?: string;
  /** Webhook: the answer to the POST. */
  http?: { status: number; body: Record<string, unknown> };
  /** Directory: the folder and the name the file was dropped under. */
  dropped?: { dir: string; name: Buffer };
}

interface BatchCheck {
  healthz: number;
  readyz: number;
  /** The valid file and webhook body sent after the batch: their records stored. */
  fileStored: boolean;
  bodyStored: boolean;
  ms: number;
}

let hub: Hub;
let dir: string;
let prefix: string;
let db: { url: string; drop(): Promise<void> };
const logLines: string[] = [];
const runs = new Map<string, CaseRun>();
const batches = new Map<Family, BatchCheck>();
const bytesOf = new Map<string, Buffer>();
const input = (c: BadInputCase): Buffer => {
  let b = bytesOf.get(c.name);
  if (!b) bytesOf.set(c.name, (b = c.bytes()));
  return b;
};
const runKey = (c: BadInputCase, via: Via): string => `${c.name}|${via}`;

function folderOf(id: string): string {
  return path.join(dir, 'corpus', id);
}

/** The demo config (config/cgic.yaml) in a temp dir, without schedules, plus the corpus agency and connectors. */
function writeConfig(): string {
  const cfg = parseYaml(readFileSync(path.join(PROJECT_ROOT, 'config/cgic.yaml'), 'utf8')) as Record<string, any>;
  for (const f of ['demo-webhook.secret', 'demo-audit.key']) copyFileSync(path.join(PROJECT_ROOT, 'config', f), path.join(dir, f));
  const local = (p: string): string => {
    const d = path.join(dir, p.replace(/^demo\//, ''));
    mkdirSync(d, { recursive: true });
    return d;
  };
  cfg.hub.dataDir = path.join(dir, 'var');
  cfg.hub.api.port = 0;
  cfg.hub.delivery = { attempts: 3, backoffMs: 50, maxBackoffMs: 200, concurrency: 2 };
  cfg.hub.transfers = { concurrency: 4, chunkSize: 500, attempts: 2, backoffMs: 100 };
  cfg.leads = { ...(cfg.leads ?? {}), enrichmentWaitSeconds: 0 };
  for (const a of cfg.agencies) for (const d of a.destinations ?? []) if (d.options?.path) d.options.path = local(d.options.path);
  for (const c of cfg.connectors) {
    delete c.schedule; // polled by the test, when it means to
    if (c.options?.path) Object.assign(c.options, { path: local(c.options.path), stableMs: 0 });
  }
  cfg.agencies.push({ ori: CORPUS_ORI, name: 'Corpus Test Police Department', contact: { name: 'Records', phone: '860-555-0199' } });
  for (const mapping of CORPUS_MAPPINGS) {
    for (const limits of ['corpus', 'default'] as const) {
      const file = path.join(CORPUS_DIR, 'mappings', `${mapping}.yaml`);
      const common = { agency: CORPUS_ORI, mapping: file, ...(limits === 'corpus' ? { limits: CORPUS_LIMITS } : {}) };
      const drop = connectorId(mapping, limits, 'directory');
      cfg.connectors.push({ id: drop, kind: 'directory', ...common, options: { path: folderOf(drop), stableMs: 0, maxFilesPerClaim: 500 } });
      mkdirSync(folderOf(drop), { recursive: true });
      cfg.connectors.push({ id: connectorId(mapping, limits, 'webhook'), kind: 'webhook', ...common, options: { secret: '${env:CORPUS_WEBHOOK_SECRET}', maxBytes: CORPUS_WEBHOOK_MAX_BYTES } });
    }
  }
  const configFile = path.join(dir, 'cgic.yaml');
  writeFileSync(configFile, stringify(cfg));
  return configFile;
}

async function finished(id: string, timeoutMs = 120_000): Promise<Transfer> {
  return waitFor(`transfer ${id} to finish`, async () => {
    const t = await hub.store.getTransfer(id);
    return t && !['queued', 'running'].includes(t.status) ? t : null;
  }, timeoutMs, 50);
}

function signedHeaders(body: Buffer, secret = SECRET, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'content-type': 'text/plain', 'x-cgic-timestamp': String(ts), 'x-cgic-signature': sign(secret, ts, body) };
}

async function post(connector: string, body: Buffer, headers: Record<string, string | null>): Promise<{ status: number; body: Record<string, unknown> }> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== null) h[k] = v;
  const res = await fetch(`${hub.address}/hooks/${connector}`, { method: 'POST', headers: h, body });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/**
 * POST as a sender does: signed afresh for each try, sent again after a 503 (the store slow to take
 * the body, on a loaded machine) or a 429 (the backlog full), when the body was not taken.
 */
async function send(connector: string, body: Buffer, headers: () => Record<string, string | null>): Promise<{ status: number; body: Record<string, unknown> }> {
  for (let attempt = 1; ; attempt++) {
    const res = await post(connector, body, headers());
    if (![429, 503].includes(res.status) || attempt === 10) return res;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Case numbers stored from a transfer (its provenance rows). */
async function storedBy(transferId: string): Promise<string[]> {
  const rows = await hub.store.db.query<{ k: string }>(
    `SELECT DISTINCT r.body->>'agencyCaseNumber' AS k FROM record_sources s JOIN records r ON r.id = s.record_id WHERE s.transfer_id = $1 AND r.type = 'Case'`,
    [transferId],
  );
  return rows.map((r) => r.k).sort();
}

/** The codes of a transfer's quarantine sightings, one per sighting, sorted. */
async function sightedCodes(transferId: string): Promise<string[]> {
  const rows = await hub.store.db.query<{ code: string }>(
    `SELECT q.code FROM quarantine_sightings s JOIN quarantine q ON q.id = s.entry_id WHERE s.transfer_id = $1`,
    [transferId],
  );
  return rows.map((r) => r.code).sort();
}

/** Drop each case's file into its connector's folder, one poll per connector, and wait for every transfer. */
async function dropAll(batch: Family, cases: readonly BadInputCase[]): Promise<void> {
  const byConnector = new Map<string, BadInputCase[]>();
  for (const c of cases) {
    if (!c.via.includes('directory')) continue;
    const id = caseConnector(c, 'directory');
    byConnector.set(id, [...(byConnector.get(id) ?? []), c]);
  }
  const ids: string[] = [];
  for (const [id, list] of byConnector) {
    const folder = folderOf(id);
    // File-name cases are polled one by one: the name the hub reports is the case.
    const perFile = batch === 'file-names';
    for (const c of list) {
      const name = c.dropAs ?? Buffer.from(`${c.family}-${c.name.slice(c.family.length + 1)}.${c.ext}`);
      writeFileSync(Buffer.concat([Buffer.from(folder + path.sep), name]), input(c));
      runs.set(runKey(c, 'directory'), { batch, dropped: { dir: folder, name } });
      if (perFile) {
        const before = new Set((await hub.store.listTransfers({ connectorId: id, limit: 1000 })).map((t) => t.id));
        const got = await pollNow(hub, id);
        if (got.length > 1) throw new Error(`${c.name}: ${got.length} transfers from one file`);
        // As below: a poll run twice reports nothing; its transfer is the connector's new one.
        const fresh = async (): Promise<string | undefined> => (await hub.store.listTransfers({ connectorId: id, limit: 1000 })).find((t) => !before.has(t.id))?.id;
        const transferId = got[0] ?? (c.expect.status === 'not-claimed' ? await fresh() : await waitFor(`the transfer of ${c.name}`, fresh, 60_000, 100));
        if (transferId) {
          runs.get(runKey(c, 'directory'))!.transferId = transferId;
          ids.push(transferId);
        }
      }
    }
    if (perFile) continue;
    const got = await pollNow(hub, id);
    const transfers = await Promise.all(got.map((t) => finished(t)));
    // A poll job BullMQ took for stalled (its lock not renewed in time on a loaded machine) runs twice:
    // the second run finds the files claimed and reports none, while the first one's transfers go
    // on. The transfers are what count: look them up by their file.
    const missing = list.filter((c) => c.expect.status !== 'not-claimed' && !transfers.some((t) => t.source === runs.get(runKey(c, 'directory'))!.dropped!.name.toString('utf8')));
    if (missing.length) {
      const names = missing.map((c) => runs.get(runKey(c, 'directory'))!.dropped!.name.toString('utf8'));
      const found = await waitFor(`transfers of ${names.join(', ')}`, async () => {
        const all = await hub.store.listTransfers({ connectorId: id, limit: 1000 });
        const hits = names.map((n) => all.find((t) => t.source === n));
        return hits.every(Boolean) ? (hits as Transfer[]) : null;
      }, 60_000, 100);
      transfers.push(...(await Promise.all(found.map((t) => finished(t.id)))));
    }
    for (const c of list) {
      const name = runs.get(runKey(c, 'directory'))!.dropped!.name.toString('utf8');
      const t = transfers.find((x) => x.source === name);
      if (t) runs.get(runKey(c, 'directory'))!.transferId = t.id;
      else if (c.expect.status !== 'not-claimed') {
        throw new Error(`${c.name}: no transfer for ${name}; the poll of ${id} gave ${JSON.stringify(transfers.map((x) => x.source))}; the folder holds ${JSON.stringify(readdirSync(folder))}, .processing ${JSON.stringify(readdirSync(path.join(folder, '.processing')))}`);
      }
    }
    ids.push(...got);
  }
  await Promise.all(ids.map((t) => finished(t)));
}

/** POST each case's body to its webhook, then wait for every accepted body's transfer. */
async function postAll(batch: Family, cases: readonly BadInputCase[]): Promise<void> {
  const ids: string[] = [];
  for (const c of cases) {
    if (!c.via.includes('webhook')) continue;
    const body = input(c);
    const res = await send(caseConnector(c, 'webhook'), body, () => {
      const signed = signedHeaders(body, SECRET, Math.floor(Date.now() / 1000) - (c.signedSecondsAgo ?? 0));
      return c.headers ? c.headers(signed) : signed;
    });
    const run: CaseRun = { batch, http: res };
    if (res.status === 202 && typeof res.body.transferId === 'string') {
      run.transferId = res.body.transferId;
      ids.push(res.body.transferId);
    }
    runs.set(runKey(c, 'webhook'), run);
  }
  await Promise.all(ids.map((t) => finished(t)));
}

/** After a batch: the hub answers, and a valid file and a valid body sent now are stored. */
async function stillUp(batch: Family, started: number): Promise<void> {
  const healthz = (await fetch(`${hub.address}/healthz`)).status;
  const readyz = (await fetch(`${hub.address}/readyz`)).status;
  const n = FAMILIES.indexOf(batch) + 1;
  const row = (key: string): string => `CASE,ORI,DATE,TOWN\n${key},${CORPUS_ORI},03/14/2026,Hartford\n`;
  const drop = connectorId('csv', 'corpus', 'directory');
  writeFileSync(path.join(folderOf(drop), `sentinel-${batch}.csv`), row(`S${n}-FILE`));
  const [fileTransfer] = await pollNow(hub, drop);
  const body = Buffer.from(row(`S${n}-BODY`));
  const posted = await send(connectorId('csv', 'corpus', 'webhook'), body, () => signedHeaders(body));
  const bodyTransfer = posted.body.transferId as string | undefined;
  await Promise.all([fileTransfer, bodyTransfer].filter((t): t is string => !!t).map((t) => finished(t)));
  batches.set(batch, {
    healthz,
    readyz,
    fileStored: !!fileTransfer && (await storedBy(fileTransfer)).join() === `S${n}-FILE`,
    bodyStored: !!bodyTransfer && (await storedBy(bodyTransfer)).join() === `S${n}-BODY`,
    ms: Date.now() - started,
  });
}

// ---- the README demo ------------------------------------------------------------------------------

const DEMO_HARTFORD_KEY = 'demo-hartford-key';
const DEMO_AUDITOR_KEY = 'demo-auditor-key';

async function runDemo(): Promise<void> {
  const inbox = (name: string): string => path.join(dir, 'inbox', name);
  copyFileSync(path.join(SCENARIO, 'lims.csv'), path.join(inbox('lims'), 'lims.csv'));
  copyFileSync(path.join(SCENARIO, 'etrace.csv'), path.join(inbox('etrace'), 'etrace.csv'));
  const first = [...(await pollNow(hub, 'lab-lims-drop')), ...(await pollNow(hub, 'etrace-drop'))];
  await Promise.all(first.map((t) => finished(t)));
  // The README's webhook: the lab's export as a signed POST to lab-lims-hook.
  const demoSecret = readFileSync(path.join(PROJECT_ROOT, 'config/demo-webhook.secret'), 'utf8').trim();
  const lims = readFileSync(path.join(SCENARIO, 'lims.csv'));
  const hook = await send('lab-lims-hook', lims, () => signedHeaders(lims, demoSecret));
  if (hook.status !== 202) throw new Error(`the demo webhook was answered ${hook.status}`);
  await finished(hook.body.transferId as string);
  for (const f of ['nibin-notice.ndjson', 'nibin-update.ndjson']) {
    copyFileSync(path.join(SCENARIO, f), path.join(inbox('nibin'), f));
    await Promise.all((await pollNow(hub, 'nibin-leads-drop')).map((t) => finished(t)));
    await settled();
  }
  // What the README shows next: a lead as Hartford sees it, and who saw it.
  const lead = await fetch(`${hub.address}/api/leads/NL24-000057`, { headers: { authorization: `Bearer ${DEMO_HARTFORD_KEY}` } });
  if (lead.status !== 200) throw new Error(`GET /api/leads/NL24-000057 answered ${lead.status}`);
  const audit = await fetch(`${hub.address}/api/audit?subject=NL24-000057`, { headers: { authorization: `Bearer ${DEMO_AUDITOR_KEY}` } });
  if (audit.status !== 200) throw new Error(`GET /api/audit answered ${audit.status}`);
}

/** No lead job and no delivery outstanding. */
async function settled(): Promise<void> {
  await waitFor('leads and deliveries to settle', async () => {
    const l = await hub.leads.getJobCounts('waiting', 'active', 'delayed');
    const [d] = await hub.store.db.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'failed')`);
    return (l.waiting ?? 0) + (l.active ?? 0) + (l.delayed ?? 0) === 0 && Number(d!.n) === 0;
  }, 60_000, 100);
}

// ---- the run --------------------------------------------------------------------------------------

const timings: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-corpus-'));
  prefix = `cgic-corpus-${randomUUID().slice(0, 8)}`;
  db = await freshDatabase();
  process.env.CORPUS_WEBHOOK_SECRET = SECRET;
  const configFile = writeConfig();
  let pending = '';
  const capture = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const parts = (pending + chunk.toString('utf8')).split('\n');
      pending = parts.pop()!;
      logLines.push(...parts.filter(Boolean));
      cb();
    },
  });
  hub = await Hub.start({ configFile, redisUrl: REDIS_URL, queuePrefix: prefix, port: 0, databaseUrl: db.url, stalledIntervalMs: 1000, lockDurationMs: 5000, logger: pino({ level: 'debug' }, capture) });
  let t0 = Date.now();
  await runDemo();
  timings.push(`demo ${Date.now() - t0} ms`);
  for (const family of FAMILIES) {
    t0 = Date.now();
    const cases = CASES.filter((c) => c.family === family);
    await Promise.all([dropAll(family, cases), postAll(family, cases)]);
    await stillUp(family, t0);
    timings.push(`${family} ${cases.length} cases ${Date.now() - t0} ms`);
  }
  console.log(`bad-input corpus: ${CASES.length} cases; ${timings.join(', ')}; ${logLines.length} log lines`);
}, 600_000);

afterAll(async () => {
  await hub?.stop().catch(() => {});
  await dropQueues(prefix);
  await db?.drop().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A quarantine payload's size as src/errors/excerpt.ts bounds it: a text's length, an excerpt's, else its JSON's. */
function payloadChars(p: unknown): number {
  if (typeof p === 'string') return p.length;
  if (p && typeof p === 'object' && (p as { truncated?: unknown }).truncated === true) return String((p as { excerpt: unknown }).excerpt).length;
  return JSON.stringify(p ?? null).length;
}

// ---- per case -------------------------------------------------------------------------------------

const ROWS = CASES.flatMap((c) => c.via.map((via) => ({ label: `${c.name} (${via})`, c, via })));

describe('bad-input corpus', () => {
  it('holds at least 100 cases, each named once and listed in its family\'s README and counted in docs/hostile-input.md; every fixture file is a case; case numbers are unique across cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    for (const c of CASES) {
      const readme = readFileSync(path.join(CORPUS_DIR, c.family, 'README.md'), 'utf8');
      expect(readme, `${c.family}/README.md lists ${c.name}`).toContain(`| \`${c.name.slice(c.family.length + 1)}\` |`);
    }
    const files = FAMILIES.flatMap((f) => readdirSync(path.join(CORPUS_DIR, f)).filter((n) => n !== 'README.md').map((n) => `${f}/${n.replace(/\.[^.]+$/, '')}`));
    expect(files.length).toBeGreaterThan(150);
    const names = new Set(CASES.map((c) => c.name));
    for (const f of files) expect(names.has(f), `${f} is a case in cases.ts`).toBe(true);
    // docs/hostile-input.md states the corpus by family: the same figures.
    const doc = readFileSync(path.join(PROJECT_ROOT, 'docs/hostile-input.md'), 'utf8');
    expect(doc).toContain(`${CASES.length} cases`);
    for (const f of FAMILIES) expect(doc, `docs/hostile-input.md: ${f}`).toContain(`| ${f.replace('-', ' ')} | ${CASES.filter((c) => c.family === f).length} |`);
    const owner = new Map<string, string>();
    for (const c of CASES) {
      for (const k of labelledRows(input(c))) {
        expect(owner.get(k) ?? c.name, `${k} is in ${owner.get(k)} and ${c.name}`).toBe(c.name);
        owner.set(k, c.name);
      }
    }
  });

  it('a failure without a source row (malformed XML) is a quarantine entry of its own, with its own message and file', async () => {
    // Such failures once shared one fingerprint per connector: every file's entry was the last file's.
    const cases = CASES.filter((c) => c.family === 'xml' && c.via.includes('directory') && c.expect.quarantine.includes('HUB_ERR_SOURCE_XML'));
    expect(cases.length).toBeGreaterThan(20);
    const entries = new Set<string>();
    for (const c of cases) {
      const t = (await hub.store.getTransfer(runs.get(runKey(c, 'directory'))!.transferId!))!;
      const [q, ...more] = await hub.store.listQuarantine({ transferId: t.id, code: 'HUB_ERR_SOURCE_XML' });
      expect(more, c.name).toEqual([]);
      expect({ file: q!.pointer?.file, count: q!.count }, c.name).toEqual({ file: t.source, count: 1 });
      entries.add(q!.id);
    }
    expect(entries.size).toBe(cases.length);
  });

  it.each(ROWS)('$label', async ({ c, via }) => {
    const run = runs.get(runKey(c, via));
    expect(run, 'the case was run').toBeDefined();
    const batch = batches.get(run!.batch)!;
    // The hub stayed up through the case's batch.
    expect({ healthz: batch.healthz, readyz: batch.readyz, fileStored: batch.fileStored, bodyStored: batch.bodyStored }).toEqual({ healthz: 200, readyz: 200, fileStored: true, bodyStored: true });

    if (via === 'webhook' && c.expect.refusedWith) {
      expect({ status: run!.http!.status, code: run!.http!.body.code }).toEqual(c.expect.refusedWith);
      expect(run!.transferId).toBeUndefined();
      return;
    }
    if (via === 'webhook') expect(run!.http!.status, JSON.stringify(run!.http!.body)).toBe(202);
    if (c.expect.status === 'not-claimed') {
      expect(run!.transferId, 'no transfer').toBeUndefined();
      expect(existsSync(Buffer.concat([Buffer.from(run!.dropped!.dir + path.sep), run!.dropped!.name])), 'left where it was dropped').toBe(true);
      return;
    }
    expect(run!.transferId, 'a transfer').toBeDefined();
    const t = (await hub.store.getTransfer(run!.transferId!))!;
    const codes = await sightedCodes(t.id);
    const stored = await storedBy(t.id);
    expect({ status: t.status, quarantine: codes }).toEqual({ status: c.expect.status, quarantine: c.expect.quarantine });
    // Every good row stored, and nothing else.
    expect(stored).toEqual([...goodRows(input(c))].sort());
    expect(t.counts.read).toBe(t.counts.mapped + t.counts.invalid);
    expect(t.counts.stored).toBeGreaterThanOrEqual(stored.length);

    // Encoding damage mapped with a warning: its log line, with counts only.
    const warnings = logLines.filter((l) => l.includes(`"transfer":"${t.id}"`) && l.includes('"code":"HUB_ERR_SOURCE_ENCODING_MISMATCH"'));
    expect(warnings.length, 'an encoding warning').toBe(c.expect.encodingWarning ? 1 : 0);
    // ... and the transfer counts the damaged rows it stored (not those refused), where the operator looks.
    const damagedStored = Boolean(c.expect.encodingWarning) && !c.expect.quarantine.includes('HUB_ERR_SOURCE_ENCODING_MISMATCH');
    expect(t.counts.damaged > 0, 'rows counted as damaged').toBe(damagedStored);
    expect(t.counts.damaged).toBeLessThanOrEqual(t.counts.mapped);

    // Every quarantine row of the transfer within its bounds.
    for (const q of await hub.store.listQuarantine({ transferId: t.id, limit: 1000 })) {
      expect(q.message.length).toBeLessThanOrEqual(MESSAGE_MAX_CHARS);
      expect((q.value ?? '').length).toBeLessThanOrEqual(VALUE_EXCERPT_CHARS + 30);
      expect(payloadChars(q.payload)).toBeLessThanOrEqual(PAYLOAD_MAX_CHARS + 100);
    }
    // A file refused as a whole is set aside with its errors, once.
    if (via === 'directory' && c.expect.status === 'failed') {
      const rejected = path.join(run!.dropped!.dir, 'rejected');
      const listed = readdirSync(rejected);
      // Its own name, or the shortened one a name too long for the suffix gets (connectors/directory/README.md).
      const source = t.source ?? '';
      const errorsFile = listed.includes(`${source}.errors.json`) ? `${source}.errors.json` : listed.find((n) => n.endsWith('.errors.json') && n.startsWith(source.slice(0, 100)));
      expect(errorsFile, `${t.source}.errors.json in rejected/`).toBeDefined();
      const errors = JSON.parse(readFileSync(path.join(rejected, errorsFile!), 'utf8')) as { code: string }[];
      expect(errors.map((e) => e.code)).toEqual(c.expect.quarantine);
      expect(statSync(path.join(rejected, errorsFile!)).size).toBeLessThan(MESSAGE_MAX_CHARS + 1000);
    }
  });
});

// ---- log hygiene ----------------------------------------------------------------------------------

/** The person, phone, case and serial values of the demo's fixtures and of the corpus, read from the files. */
function sourceValues(): Set<string> {
  const values = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.trim().length >= 5) values.add(v.trim());
  };
  const csvRows = (file: string): Record<string, string>[] => parseCsv(iconv.decode(readFileSync(path.join(SCENARIO, file)), 'windows-1252'), { columns: true }) as Record<string, string>[];
  for (const r of csvRows('lims.csv')) for (const k of ['INVESTIGATOR', 'INVESTIGATOR_PHONE', 'AGENCY_CASE_NO', 'LAB_CASE_NO', 'SERIAL_NO', 'IBIS_CASE_ID']) add(r[k]);
  for (const r of csvRows('etrace.csv')) for (const k of ['TRACE_NUMBER', 'AGENCY_CASE_NO', 'SERIAL']) add(r[k]);
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) (/caseNumber$|^ibisCaseId$|serial|examiner|investigator|phone/i.test(k) ? add(v) : walk(v));
  };
  for (const f of ['nibin-notice.ndjson', 'nibin-update.ndjson']) for (const l of readFileSync(path.join(SCENARIO, f), 'utf8').split('\n').filter(Boolean)) walk(JSON.parse(l));
  // The corpus: its case numbers (labelled), and the names, phones and serials of its rows, from the
  // CSV columns, JSON members, XML elements and fixed-width positions that carry them.
  const layout = (parseYaml(readFileSync(path.join(CORPUS_DIR, 'mappings/fixed-width.yaml'), 'utf8')) as { source: { fixedWidth: { segments: Record<string, { fields?: Record<string, string> }> } } }).source.fixedWidth;
  /** Segment code -> the spans (0-based, end exclusive) of its name, phone and serial fields. */
  const fixedUnread = new Map(
    Object.entries(layout.segments).map(([code, seg]) => [
      code,
      Object.entries(seg.fields ?? {})
        .filter(([name]) => /^(?:name|phone|serial)$/.test(name))
        .map(([, at]) => at.split('-').map(Number))
        .map(([from, to]) => [from! - 1, to ?? from!] as const),
    ]),
  );
  for (const c of CASES) {
    const b = input(c);
    for (const k of labelledRows(b)) add(k);
    if (b.length > 1_000_000) continue;
    const text = b[0] === 0xff && b[1] === 0xfe ? b.subarray(2).toString('utf16le') : b.toString('utf8');
    for (const m of text.matchAll(/"(?:name|phone|serial)"\s*:\s*"([^"\\]{5,})"/g)) add(m[1]);
    for (const m of text.matchAll(/<c:(?:Investigator|Phone|Serial)>([^<]{5,})</g)) add(m[1]);
    for (const m of text.matchAll(/(?:^|,)"([A-Z][a-z]+-Sample, [A-Z][a-z]+)",(\d{3}-555-\d{4}),([A-Z0-9-]{5,})/gm)) [m[1], m[2], m[3]].forEach(add);
    if (c.family === 'fixed-width') {
      // At the positions the layout gives them, in every segment that has them; and the people and
      // phones of lines the layout cannot place.
      for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) for (const [from, to] of fixedUnread.get(line[0] ?? '') ?? []) add(line.slice(from, to));
      for (const m of text.matchAll(/[A-Z][a-z]+-Sample, [A-Z][a-z]+|\b\d{3}-555-\d{4}\b/g)) add(m[0]);
    }
  }
  return values;
}

describe('log hygiene', () => {
  it('no log line of the demo and the corpus names a person, a phone number, a case number or a serial from the fixtures', () => {
    const values = sourceValues();
    // The demo's people, phones, agency and lab case numbers, serials, trace numbers; the corpus's rows.
    expect(values.size).toBeGreaterThan(300);
    for (const v of ['Sample, Jordan', '24-004512', 'L24-000301', 'BXRT812', 'Mockford, Lee', 'Okafor-Sample, Maria', '860-555-0142', 'SN-A100231']) expect(values, v).toContain(v);
    expect(logLines.length).toBeGreaterThan(300);
    // The logs did see the work: transfers, refusals with their codes, the lead.
    expect(logLines.some((l) => l.includes('"msg":"transfer finished"'))).toBe(true);
    expect(logLines.some((l) => l.includes('"code":"HUB_ERR_SOURCE_HEADER"'))).toBe(true);
    expect(logLines.some((l) => l.includes('"lead":"NL24-000057"'))).toBe(true);
    const hits: string[] = [];
    for (const line of logLines) for (const v of values) if (line.includes(v)) hits.push(`${v} in ${line.slice(0, 300)}`);
    expect(hits.slice(0, 20)).toEqual([]);
    console.log(`log hygiene: ${logLines.length} log lines checked against ${values.size} source values: 0 hits`);
  });
});
