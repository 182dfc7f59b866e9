/**
 * Corrections and retractions end to end (docs/corrections.md), on real Redis and PostgreSQL: an agency
 * RMS re-exports its incidents, a second source (the lab) says things about the same cases, and the
 * agency's RMS receives every change.
 * - A re-export replaces what the RMS said before: a corrected offense replaces the old one, a dropped
 *   lab case number and a blanked field are gone, while the lab's values on the same case remain; the
 *   next delivery carries exactly that; the same export again changes and sends nothing.
 * - A delete withdraws what the source record published: records only it gave become tombstones
 *   (delivered as deletion notices), records others contributed to keep the others' values.
 * - A replace that no longer gives a record withdraws it from that record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AgencyServer, AgencyServers, mkdirs, PROJECT_ROOT, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';

const HFD = 'CT0006400';
const LAB = 'CTFSL0000';
const FIXTURES = path.join(PROJECT_ROOT, 'test/integration/fixtures/corrections');
const RMS_HEADER = 'ORI,CASE,INCIDENT_ID,ACTION,CAD_NO,OFFENSE,LAB_CASES,TOWN,GUN_ITEM,GUN_MODEL';

let env: TestEnv | null = null;
const servers = new AgencyServers();
afterEach(async () => {
  await env?.cleanup();
  env = null;
  await servers.stopAll();
});

async function setup(): Promise<{ hub: Hub; rms: AgencyServer }> {
  const rms = await servers.start();
  env = await testEnv({
    agencies: [
      { ori: LAB, name: 'Lab', kind: 'lab' },
      { ori: HFD, name: 'Hartford PD', destinations: [{ id: 'hfd-rms', kind: 'http', content: ['records'], options: { url: rms.url } }] },
    ],
    connectors: [
      { id: 'hfd-rms-export', kind: 'directory', agency: HFD, mapping: path.join(FIXTURES, 'rms-incidents.yaml'), options: { path: 'RMS_IN', stableMs: 0 } },
      { id: 'lab-cases', kind: 'directory', agency: LAB, allowOtherAgencies: true, mapping: path.join(FIXTURES, 'lab-cases.yaml'), options: { path: 'LAB_IN', stableMs: 0 } },
    ],
  });
  const cfg = readFileSync(env.configFile, 'utf8').replace('path: RMS_IN', `path: ${path.join(env.dir, 'rms')}`).replace('path: LAB_IN', `path: ${path.join(env.dir, 'lab')}`);
  writeFileSync(env.configFile, cfg);
  mkdirs(path.join(env.dir, 'rms'), path.join(env.dir, 'lab'));
  return { hub: await env.start(), rms };
}

/** Drop a file for a connector and wait for its transfer to finish; returns the transfer. */
async function ingest(hub: Hub, connector: 'hfd-rms-export' | 'lab-cases', name: string, lines: string[]) {
  writeFileSync(path.join(env!.dir, connector === 'lab-cases' ? 'lab' : 'rms', name), lines.join('\r\n') + '\r\n');
  const id = await runOnce(hub, connector);
  return waitFor(`transfer ${id}`, async () => {
    const t = await hub.store.getTransfer(id);
    return t && !['queued', 'running'].includes(t.status) ? t : null;
  });
}

type Rec = Record<string, unknown> & { id: string; version: number };
/** Every record the agency's RMS received, in order of arrival. */
const received = (rms: AgencyServer): Rec[] => rms.okRequests().flatMap((r) => (JSON.parse(r.body) as { records: Rec[] }).records);
const lastReceived = (rms: AgencyServer, id: string): Rec | undefined => received(rms).filter((r) => r.id === id).at(-1);

describe('corrections by source', () => {
  it('a re-export correcting an offense, dropping a lab case number and blanking a field replaces what the RMS said; the lab\'s values remain', async () => {
    const { hub, rms } = await setup();
    const t1 = await ingest(hub, 'hfd-rms-export', 'rms-1.csv', [RMS_HEADER, `${HFD},24-1,I-1,insert,CAD-77,SHOTS FIRED,L24-1;L24-2,Hartford,,`]);
    expect(t1).toMatchObject({ status: 'succeeded', counts: { stored: 1, changed: 1 } });
    await ingest(hub, 'lab-cases', 'lab-1.csv', ['ORI,CASE,LAB_CASES,KIND', `${HFD},24-1,L24-9,shooting`]);
    const key = `${HFD}|24-1`;
    const v2 = await hub.store.getRecord('Case', key);
    expect(v2).toMatchObject({ version: 2, incidentNumber: 'CAD-77', eventKind: 'shooting', offenses: [{ code: 'SHOTS FIRED', system: 'RMS-OFFENSE', text: 'SHOTS FIRED' }] });
    expect([...(v2!.labCaseNumbers as string[])].sort()).toEqual(['L24-1', 'L24-2', 'L24-9']);

    // The RMS corrects its incident: SHOOTING, only L24-1, and no CAD number any more.
    const t3 = await ingest(hub, 'hfd-rms-export', 'rms-2.csv', [RMS_HEADER, `${HFD},24-1,I-1,insert,,SHOOTING,L24-1,Hartford,,`]);
    expect(t3).toMatchObject({ status: 'succeeded', counts: { changed: 1 } });
    const v3 = await hub.store.getRecord('Case', key);
    expect(v3).toMatchObject({ version: 3, eventKind: 'shooting', offenses: [{ code: 'SHOOTING', system: 'RMS-OFFENSE', text: 'SHOOTING' }], location: { town: 'Hartford' } });
    expect(v3!.offenses).toHaveLength(1); // the corrected value replaced the old one
    expect(v3).not.toHaveProperty('incidentNumber'); // the blanked field is gone
    expect([...(v3!.labCaseNumbers as string[])].sort()).toEqual(['L24-1', 'L24-9']); // L24-2 dropped, the lab's L24-9 kept

    // Provenance says who said what.
    const who = await hub.store.listRecordContributions(v3!.id);
    expect(who.map((c) => [c.source, c.sourceRecordId, c.fields.labCaseNumbers])).toEqual([
      ['lab-cases', null, ['L24-9']],
      ['hfd-rms-export', 'I-1', ['L24-1']],
    ]);
    expect(v3!.sourceRefs!.map((s) => [s.source, s.recordId ?? null])).toEqual([
      ['hfd-rms-export', 'I-1'],
      ['lab-cases', null],
      ['hfd-rms-export', 'I-1'],
    ]);

    // The next delivery shows only the corrected values.
    await waitFor('version 3 delivered', () => lastReceived(rms, v3!.id)?.version === 3);
    const delivered = lastReceived(rms, v3!.id)!;
    expect(delivered.offenses).toEqual([{ code: 'SHOOTING', system: 'RMS-OFFENSE', text: 'SHOOTING' }]);
    expect([...(delivered.labCaseNumbers as string[])].sort()).toEqual(['L24-1', 'L24-9']);
    expect(delivered).not.toHaveProperty('incidentNumber');
    expect(delivered.eventKind).toBe('shooting');

    // The same export again changes nothing and sends nothing.
    const t4 = await ingest(hub, 'hfd-rms-export', 'rms-2-again.csv', [RMS_HEADER, `${HFD},24-1,I-1,insert,,SHOOTING,L24-1,Hartford,,`]);
    expect(t4).toMatchObject({ status: 'succeeded', counts: { changed: 0, unchanged: 1 } });
    expect((await hub.store.getRecord('Case', key))!.version).toBe(3);
    expect(received(rms).filter((r) => r.id === v3!.id).map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('a delete tombstones what only it published and withdraws its values from what others share; a replace withdraws the records it no longer gives', async () => {
    const { hub, rms } = await setup();
    await ingest(hub, 'hfd-rms-export', 'rms-1.csv', [
      RMS_HEADER,
      `${HFD},24-2,I-2,insert,CAD-2,ROBBERY,L24-20,Hartford,G1,19`,
      `${HFD},24-3,I-3,insert,,SHOOTING,,Hartford,G1,26`,
      `${HFD},24-3,I-3,insert,,SHOOTING,,Hartford,G2,43`,
    ]);
    await ingest(hub, 'lab-cases', 'lab-1.csv', ['ORI,CASE,LAB_CASES,KIND', `${HFD},24-2,L24-21,recovery-only`]);
    const gun2 = (await hub.store.getRecord('Firearm', `agency:${HFD}|24-2|G1`))!;
    const case2 = (await hub.store.getRecord('Case', `${HFD}|24-2`))!;
    expect(case2).toMatchObject({ version: 2, offenses: [{ code: 'ROBBERY' }], eventKind: 'recovery-only' });

    // The RMS deletes incident I-2 and sends incident I-3 again with one gun only.
    const t = await ingest(hub, 'hfd-rms-export', 'rms-2.csv', [RMS_HEADER, `${HFD},24-2,I-2,delete,,,,,,`, `${HFD},24-3,I-3,replace,,SHOOTING,,Hartford,G1,26`]);
    expect(t).toMatchObject({ status: 'succeeded', counts: { read: 2, mapped: 2, invalid: 0 } });

    // Only the RMS published the gun of I-2: a tombstone, skipped by lookups.
    expect(await hub.store.getRecord('Firearm', gun2.key)).toBeUndefined();
    expect(await hub.store.findRecords('Firearm', { agencyCaseNumber: '24-2' })).toEqual([]);
    const tomb = await hub.store.getRecord('Firearm', gun2.key, { includeDeleted: true });
    expect(tomb).toMatchObject({ id: gun2.id, version: 2, deleted: true, type: 'Firearm', key: gun2.key });
    expect(tomb).not.toHaveProperty('model');
    expect(tomb!.sourceRefs!.at(-1)).toMatchObject({ source: 'hfd-rms-export', recordId: 'I-2', action: 'delete' });

    // The case the lab also spoke of keeps the lab's values only.
    const case2After = (await hub.store.getRecord('Case', case2.key))!;
    expect(case2After).toMatchObject({ version: 3, eventKind: 'recovery-only', labCaseNumbers: ['L24-21'] });
    expect(case2After).not.toHaveProperty('offenses');
    expect(case2After).not.toHaveProperty('incidentNumber');

    // I-3's second gun is withdrawn by the replace; its first gun and its case stay as they were.
    expect(await hub.store.getRecord('Firearm', `agency:${HFD}|24-3|G2`)).toBeUndefined();
    expect(await hub.store.getRecord('Firearm', `agency:${HFD}|24-3|G1`)).toMatchObject({ version: 1, model: '26' });
    expect(await hub.store.getRecord('Case', `${HFD}|24-3`)).toMatchObject({ version: 1 });

    // The agency's RMS is told: deletion notices for the tombstones, the case as it now is.
    await waitFor('the deletion notice', () => lastReceived(rms, gun2.id)?.version === 2);
    expect(lastReceived(rms, gun2.id)).toEqual({ type: 'Firearm', id: gun2.id, key: gun2.key, classification: 'cji', version: 2, deleted: true, deletedAt: tomb!.deletedAt });
    const g2 = (await hub.store.getRecord('Firearm', `agency:${HFD}|24-3|G2`, { includeDeleted: true }))!;
    await waitFor('the replace notice', () => lastReceived(rms, g2.id)?.deleted === true);
    await waitFor('the case update', () => lastReceived(rms, case2.id)?.version === 3);
    expect(lastReceived(rms, case2.id)).not.toHaveProperty('offenses');

    // A source record published again revives its tombstone.
    await ingest(hub, 'hfd-rms-export', 'rms-3.csv', [RMS_HEADER, `${HFD},24-2,I-2,insert,,ROBBERY,,Hartford,G1,19`]);
    expect(await hub.store.getRecord('Firearm', gun2.key)).toMatchObject({ version: 3, model: '19' });
    expect(await hub.store.getRecord('Firearm', gun2.key)).not.toHaveProperty('deleted');
  });
});
