/**
 * NIBIN leads end to end on real Redis and PostgreSQL: the three-agency scenario (two shootings, one
 * recovered gun whose test fire links to both), lifecycle updates, re-ingestion, late records, the
 * API's need-to-know scoping, and a 100-agency fan-out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'yaml';
import { AgencyServer, AgencyServers, PROJECT_ROOT, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';
import { hashKey } from '../../../src/server/auth.ts';

const LAB = 'CTFSL0000';
const HFD = 'CT0006400';
const EHPD = 'CT0004300';
const CSP = 'CTCSP0000';
const NHPD = 'CT0009300';
const CGIC = 'CTCGIC000';
const SCENARIO = path.join(PROJECT_ROOT, 'fixtures/scenario');
const [NOTICE, UPDATE] = readFileSync(path.join(SCENARIO, 'nibin-leads.ndjson'), 'utf8').trim().split('\n') as [string, string];

let env: TestEnv | null = null;
const servers = new AgencyServers();
afterEach(async () => {
  await env?.cleanup();
  env = null;
  await servers.stopAll();
});

const server = (): Promise<AgencyServer> => servers.start();

interface Scenario {
  hub: Hub;
  env: TestEnv;
  http: Record<string, AgencyServer>;
  ingest(connector: 'lims' | 'etrace' | 'nibin', name: string, content: string | Buffer): Promise<void>;
  settle(): Promise<void>;
}

async function scenario(opts: { waitSeconds?: number } = {}): Promise<Scenario> {
  const http: Record<string, AgencyServer> = {};
  for (const ori of [HFD, EHPD, CSP, NHPD, CGIC]) http[ori] = await server();
  const dest = (ori: string, format: string) => [{ id: `${ori.toLowerCase()}-rms`, kind: 'http', content: ['leads'], leadFormat: format, options: { url: http[ori]!.url } }];
  env = await testEnv({
    agencies: [
      { ori: LAB, name: 'State Forensic Science Laboratory', kind: 'lab' },
      { ori: HFD, name: 'Hartford Police Department', contact: { name: 'Detective Division', phone: '860-555-0131' }, destinations: dest(HFD, 'out-lead-json') },
      { ori: EHPD, name: 'East Hartford Police Department', destinations: dest(EHPD, 'out-lead-csv') },
      { ori: CSP, name: 'Connecticut State Police', kind: 'state', destinations: dest(CSP, 'out-lead-niem-xml') },
      { ori: NHPD, name: 'New Haven Police Department', destinations: dest(NHPD, 'out-lead-json') },
      { ori: CGIC, name: 'CGIC analysts', kind: 'cgic', destinations: dest(CGIC, 'out-lead-json') },
    ],
    connectors: ['lims', 'etrace', 'nibin'].map((c) => ({
      id: c,
      kind: 'directory',
      agency: c === 'etrace' ? CSP : LAB,
      allowOtherAgencies: true,
      mapping: c === 'lims' ? 'lims-csv' : c === 'etrace' ? 'etrace-csv' : 'nibin-lead',
      options: { path: `DIR-${c}`, stableMs: 0 },
    })),
    keys: [
      { id: 'analyst', role: 'analyst', sha256: hashKey('analyst-key') },
      { id: 'hfd', role: 'agency', ori: HFD, sha256: hashKey('hfd-key') },
      { id: 'nhpd', role: 'agency', ori: NHPD, sha256: hashKey('nhpd-key') },
    ],
  });
  const e = env;
  let cfg = readFileSync(e.configFile, 'utf8');
  for (const c of ['lims', 'etrace', 'nibin']) {
    mkdirSync(path.join(e.dir, c), { recursive: true });
    cfg = cfg.replace(`path: DIR-${c}`, `path: ${path.join(e.dir, c)}`);
  }
  cfg += stringify({ leads: { enrichmentWaitSeconds: opts.waitSeconds ?? 0 } });
  writeFileSync(e.configFile, cfg);
  const hub = await e.start();
  const settle = async (): Promise<void> => {
    await waitFor('leads and deliveries to settle', async () => {
      const l = await hub.leads.getJobCounts('waiting', 'active', 'delayed');
      const [d] = await hub.store.db.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'`);
      return (l.waiting ?? 0) + (l.active ?? 0) === 0 && Number(d!.n) === 0;
    }, 30_000, 50);
  };
  return {
    hub,
    env: e,
    http,
    async ingest(connector, name, content) {
      writeFileSync(path.join(e.dir, connector, name), content);
      const id = await runOnce(hub, connector);
      await waitFor(`transfer of ${name}`, async () => {
        const t = await hub.store.getTransfer(id);
        return t && !['queued', 'running'].includes(t.status) ? t : null;
      });
      await settle();
    },
    settle,
  };
}

const json = (s: AgencyServer, i: number) => JSON.parse(s.okRequests()[i]!.body) as Record<string, any>;

async function threeAgencyLead(s: Scenario): Promise<void> {
  await s.ingest('lims', 'lims.csv', readFileSync(path.join(SCENARIO, 'lims.csv')));
  await s.ingest('etrace', 'etrace.csv', readFileSync(path.join(SCENARIO, 'etrace.csv')));
  await s.ingest('nibin', 'notice.ndjson', NOTICE + '\n');
}

describe('NIBIN leads reach every linked agency', () => {
  it('three agencies: one package each in its own format, own cases in full, others redacted; the analysts get everything', async () => {
    const s = await scenario();
    await threeAgencyLead(s);
    await waitFor('a package at each of the four recipients', () => [HFD, EHPD, CSP, CGIC].every((o) => s.http[o]!.okRequests().length === 1));
    expect(s.http[NHPD]!.received).toHaveLength(0);

    // Hartford (JSON): its shooting in full, the others only in the default fields.
    const hfd = json(s.http[HFD]!, 0);
    expect(hfd).toMatchObject({ lead_id: 'NL24-000057', version: 1, supersedes_version: null, status: 'LEAD_UNCONFIRMED' });
    expect(hfd.caveat).toMatch(/not a confirmed identification/);
    const byId = Object.fromEntries((hfd.events as any[]).map((e) => [e.event_id, e]));
    expect(byId['NL24-000057-E1']).toMatchObject({ disclosure: 'full', report_number: '24-004512', occurred_at: '2024-03-01T22:14:00-05:00' });
    expect(byId['NL24-000057-E1'].evidence.length).toBeGreaterThan(0);
    for (const other of ['NL24-000057-E2', 'NL24-000057-E3']) {
      expect(byId[other].disclosure).toBe('restricted');
      expect(byId[other]).not.toHaveProperty('evidence');
      expect(byId[other]).not.toHaveProperty('firearm');
      expect(byId[other]).not.toHaveProperty('trace');
      expect(byId[other]).not.toHaveProperty('offense');
    }
    expect(byId['NL24-000057-E3']).toMatchObject({ report_number: 'CFS2400012345', town: 'Enfield' });

    // East Hartford (CSV) and the State Police (NIEM-style XML), each in its own format.
    expect(s.http[EHPD]!.okRequests()[0]!.body).toMatch(/^\uFEFF?Lead ID,Version/);
    expect(s.http[EHPD]!.okRequests()[0]!.body.split('\r\n').filter((l) => l.startsWith('NL24-000057,1,'))).toHaveLength(3);
    const xml = s.http[CSP]!.okRequests()[0]!.body;
    expect(xml).toMatch(/^<\?xml/);
    expect(xml).toContain('BXRT812'); // its own recovered gun, in full
    expect(xml).toMatch(/206/); // time-to-crime of its trace

    // The analysts see every event in full.
    const cgic = json(s.http[CGIC]!, 0);
    expect((cgic.events as any[]).every((e) => e.disclosure === 'full')).toBe(true);
    const e3 = (cgic.events as any[]).find((e) => e.event_id === 'NL24-000057-E3');
    expect(e3.firearm).toMatchObject({ serial_normalized: 'BXRT812', make_ncic: 'GLC' });
    expect(e3.trace).toMatchObject({ time_to_crime_days: 206 });

    // The ledger says who got what.
    const res = await fetch(`${s.hub.address}/api/leads/NL24-000057`, { headers: { authorization: 'Bearer analyst-key' } });
    const view = (await res.json()) as { dissemination: { recipientOri: string; version: number; fieldsDisclosed: Record<string, string[]>; deliveries: { status: string }[]; turnaroundSeconds: number }[] };
    expect(view.dissemination.map((d) => d.recipientOri).sort()).toEqual([CGIC, EHPD, HFD, CSP].sort());
    const hfdRow = view.dissemination.find((d) => d.recipientOri === HFD)!;
    expect(hfdRow.fieldsDisclosed[HFD]).toEqual(['*']);
    expect(hfdRow.fieldsDisclosed[EHPD]).toEqual(expect.not.arrayContaining(['evidence', 'firearm', 'trace', 'persons']));
    expect(hfdRow.deliveries).toMatchObject([{ status: 'delivered' }]);
    expect(hfdRow.turnaroundSeconds).toBeGreaterThanOrEqual(0);
  });

  it('a link confirmed: every recipient gets version 2 superseding version 1; the same lead again sends nothing', async () => {
    const s = await scenario();
    await threeAgencyLead(s);
    await s.ingest('nibin', 'update.ndjson', UPDATE + '\n');
    await waitFor('version 2 everywhere', () => [HFD, EHPD, CSP, CGIC].every((o) => s.http[o]!.okRequests().length === 2));
    const v2 = json(s.http[HFD]!, 1);
    expect(v2).toMatchObject({ version: 2, supersedes_version: 1, status: 'CONFIRMED_HIT' });
    expect(v2.caveat).toMatch(/confirmed by a firearms examiner/);
    expect(s.http[EHPD]!.okRequests()[1]!.body).toMatch(/\r\nNL24-000057,2,1,CONFIRMED_HIT,/);

    // Re-ingest the notice and the update: nothing new is sent to anyone.
    await s.ingest('nibin', 'again.ndjson', `${NOTICE}\n${UPDATE}\n`);
    await new Promise((r) => setTimeout(r, 800));
    await s.settle();
    expect([HFD, EHPD, CSP, CGIC].map((o) => s.http[o]!.received.length)).toEqual([2, 2, 2, 2]);
  });

  it('an event added: the new agency gets the whole lead, the others an update', async () => {
    const s = await scenario();
    await threeAgencyLead(s);
    // New Haven's lab case, then the lead grows by its event.
    const header = iconv.decode(readFileSync(path.join(SCENARIO, 'lims.csv')), 'windows-1252').split('\r\n')[0];
    const row = 'L24-000999,1,CT0009300,New Haven Police Department,NHPD2024-00999,SHOOTING,03/20/2024 21:00,New Haven,03/21/2024 09:00,1,,A1,CARTRIDGE CASE,Fired cartridge case,9MM,WIN 9MM LUGER,,,,,,Y,IB24-000999,CC01,2024-03-22,"Sample, Pat",203-555-0100';
    await s.ingest('lims', 'nh.csv', iconv.encode(`${header}\r\n${row}\r\n`, 'windows-1252'));
    const grown = JSON.parse(NOTICE);
    grown.messageType = 'LEAD_UPDATE';
    grown.version = 2;
    grown.events.push({ eventId: 'NL24-000057-E4', ibisCaseId: 'IB24-000999', ibisExhibitIds: ['CC01'], labCaseNumber: 'L24-000999', agencyOri: NHPD, agencyName: 'New Haven Police Department', agencyCaseNumber: 'NHPD2024-00999', role: 'scene', occurredAt: '2024-03-20T21:00:00-04:00', addedAt: '2024-03-23T10:00:00Z' });
    await s.ingest('nibin', 'grown.ndjson', JSON.stringify(grown) + '\n');
    await waitFor('New Haven and the update', () => s.http[NHPD]!.okRequests().length === 1 && s.http[HFD]!.okRequests().length === 2);
    const nh = json(s.http[NHPD]!, 0);
    expect(nh).toMatchObject({ version: 2, supersedes_version: null });
    expect((nh.events as any[]).map((e) => e.event_id).sort()).toEqual(['NL24-000057-E1', 'NL24-000057-E2', 'NL24-000057-E3', 'NL24-000057-E4']);
    expect((nh.events as any[]).find((e) => e.event_id === 'NL24-000057-E4').disclosure).toBe('full');
    const hfd2 = json(s.http[HFD]!, 1);
    expect(hfd2).toMatchObject({ version: 2, supersedes_version: 1 });
    expect((hfd2.events as any[]).find((e) => e.event_id === 'NL24-000057-E4')).toMatchObject({ disclosure: 'restricted', report_number: 'NHPD2024-00999' });
  });

  it('a lead before its lab cases: held as pending, sent with what is known when the wait runs out, completed when they arrive', async () => {
    const s = await scenario({ waitSeconds: 2 });
    await s.ingest('nibin', 'notice.ndjson', NOTICE + '\n');
    const pending = await (await fetch(`${s.hub.address}/api/leads/NL24-000057`, { headers: { authorization: 'Bearer analyst-key' } })).json();
    expect(pending).toMatchObject({ version: null, pending: { missing: expect.arrayContaining(['LabCase L24-000301', 'Case CT0006400|24-004512']) } });
    expect(s.http[HFD]!.received).toHaveLength(0);
    await waitFor('the wait to run out and version 1 to go', () => s.http[HFD]!.okRequests().length === 1, 15_000);
    const v1 = json(s.http[HFD]!, 0);
    expect(v1).toMatchObject({ version: 1 });
    // Every lead format says the package is incomplete and what is missing, each recipient in what it may see.
    expect(v1.enrichment).toEqual({
      complete: false,
      missing: [
        'Case CT0004300|24-001877',
        'Case CT0006400|24-004512',
        'Case CTCSP0000|CFS2400012345',
        'LabCase L24-000301', // Hartford's own lab case
        'LabCase of CT0004300 (number withheld)', // the default sharing rule does not show other agencies' lab case numbers
        'LabCase of CTCSP0000 (number withheld)',
      ],
    });
    await waitFor('East Hartford (CSV) and the State Police (XML) version 1', () => s.http[EHPD]!.okRequests().length === 1 && s.http[CSP]!.okRequests().length === 1, 15_000);
    const csv = parseCsv(s.http[EHPD]!.okRequests()[0]!.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(csv.map((r) => [r['Enrichment Complete'], r['Missing Records']])).toEqual(
      csv.map(() => ['N', 'Case CT0004300|24-001877; Case CT0006400|24-004512; Case CTCSP0000|CFS2400012345; LabCase of CT0006400 (number withheld); LabCase L24-000322; LabCase of CTCSP0000 (number withheld)']),
    );
    const xml = s.http[CSP]!.okRequests()[0]!.body;
    expect(xml).toContain('<cgic:EnrichmentCompleteIndicator>false</cgic:EnrichmentCompleteIndicator>');
    expect([...xml.matchAll(/<cgic:MissingRecordText>([^<]*)</g)].map((m) => m[1])).toHaveLength(6);
    await s.ingest('lims', 'lims.csv', readFileSync(path.join(SCENARIO, 'lims.csv')));
    await waitFor('the completed version 2', () => s.http[HFD]!.okRequests().length === 2, 15_000);
    const v2 = json(s.http[HFD]!, 1);
    expect(v2).toMatchObject({ version: 2, supersedes_version: 1, enrichment: { complete: true } });
    expect(v2.enrichment).not.toHaveProperty('missing');
    await waitFor('East Hartford and the State Police version 2', () => s.http[EHPD]!.okRequests().length === 2 && s.http[CSP]!.okRequests().length === 2, 15_000);
    const csv2 = parseCsv(s.http[EHPD]!.okRequests()[1]!.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(csv2.every((r) => r['Enrichment Complete'] === 'Y' && r['Missing Records'] === '')).toBe(true);
    expect(s.http[CSP]!.okRequests()[1]!.body).toContain('<cgic:EnrichmentCompleteIndicator>true</cgic:EnrichmentCompleteIndicator>');
    expect(s.http[CSP]!.okRequests()[1]!.body).not.toContain('MissingRecordText');
    const own = (v2.events as any[]).find((e) => e.event_id === 'NL24-000057-E1');
    expect(own.evidence.length).toBeGreaterThan(0);
    const view = (await (await fetch(`${s.hub.address}/api/leads/NL24-000057`, { headers: { authorization: 'Bearer analyst-key' } })).json()) as { versions: { reason: string; complete: boolean }[]; pending: unknown };
    expect(view.versions.map((v) => v.complete)).toEqual([false, true]);
    expect(view.versions[1]!.reason).toMatch(/enrichment completed/);
    expect(view.pending).toBeNull();
  });

  it("an agency key sees only its own leads, and only what the sharing rule allows of others' cases", async () => {
    const s = await scenario();
    await threeAgencyLead(s);
    await waitFor('delivered', () => s.http[HFD]!.okRequests().length === 1);
    const get = (p: string, key: string) => fetch(`${s.hub.address}${p}`, { headers: { authorization: `Bearer ${key}` } });
    const notPart = await get('/api/leads/NL24-000057', 'nhpd-key');
    expect(notPart.status).toBe(404);
    expect(await (await get('/api/leads', 'nhpd-key')).json()).toEqual({ total: 0, limit: 100, offset: 0, items: [] });
    const own = (await (await get('/api/leads/NL24-000057', 'hfd-key')).json()) as { events: Record<string, unknown>[]; recipient: { ori: string } };
    expect(own.recipient.ori).toBe(HFD);
    const e2 = own.events.find((e) => e.eventId === 'NL24-000057-E2')!;
    expect(Object.keys(e2).sort()).toEqual(['agency', 'agencyCaseNumber', 'disclosure', 'eventId', 'eventKind', 'occurredAt', 'role', 'town'].filter((k) => k in e2).sort());
    expect(e2).not.toHaveProperty('evidence');
    expect(e2).not.toHaveProperty('labCaseNumbers');
    expect((await get('/api/leads', 'hfd-key')).status).toBe(200);
    expect((await get('/api/leads/NL24-000057', 'wrong-key')).status).toBe(401);
  });
});
