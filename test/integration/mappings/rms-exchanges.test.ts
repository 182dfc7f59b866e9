/**
 * The N-DEx and NIBRS mappings in the hub, on real Redis and PostgreSQL: what a publish message or a
 * NIBRS report asks for takes effect in the store.
 * - N-DEx (fixtures/ndex): an Insert of a data item already published replaces it (the corrected
 *   offense and model stand, the revolver no longer published becomes a tombstone); a Delete withdraws
 *   everything its data item published (the State Police case and gun become tombstones).
 * - NIBRS (fixtures/nibrs): a replace (R) drops what the incident report no longer says, a delete (D)
 *   tombstones the incident's records; a Group B arrest delete withdraws the arrest and nothing else,
 *   although an incident of the same agency could carry the same number.
 * - NIBRS flat files (fixtures/nibrs-flat): the same incident stores the same records; a delete (D)
 *   tombstones them, a segment whose incident has no Administrative segment is quarantined with its line.
 * - Another agency's delete reaching a connector is quarantined: it never withdraws the connector's own
 *   agency's incident of the same number.
 * Weapon/force codes never become Firearms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mkdirs, PROJECT_ROOT, runOnce, testEnv, waitFor, type TestEnv } from '../../support/hub-harness.ts';
import type { Hub } from '../../../src/runtime/hub.ts';

let env: TestEnv | null = null;
afterEach(async () => {
  await env?.cleanup();
  env = null;
});

async function setup(): Promise<Hub> {
  env = await testEnv({
    agencies: [
      { ori: 'CTCSP0000', name: 'State Police', kind: 'state' },
      { ori: 'CT0006400', name: 'Hartford PD' },
      { ori: 'CT0004300', name: 'East Hartford PD' },
    ],
    connectors: [
      // The N-DEx fixtures carry two agencies' packages (the State Police's and Hartford's), as a state feed would.
      { id: 'ndex-feed', kind: 'directory', agency: 'CTCSP0000', allowOtherAgencies: true, mapping: 'ndex-2.1-lexs', options: { path: 'NDEX_IN', stableMs: 0 } },
      { id: 'hpd-nibrs', kind: 'directory', agency: 'CT0006400', mapping: 'nibrs-2019', options: { path: 'NIBRS_IN', stableMs: 0 } },
      { id: 'hpd-nibrs-flat', kind: 'directory', agency: 'CT0006400', mapping: 'nibrs-flat', options: { path: 'FLAT_IN', stableMs: 0 } },
    ],
  });
  const cfg = readFileSync(env.configFile, 'utf8')
    .replace('path: NDEX_IN', `path: ${path.join(env.dir, 'ndex')}`)
    .replace('path: NIBRS_IN', `path: ${path.join(env.dir, 'nibrs')}`)
    .replace('path: FLAT_IN', `path: ${path.join(env.dir, 'flat')}`);
  writeFileSync(env.configFile, cfg);
  mkdirs(path.join(env.dir, 'ndex'), path.join(env.dir, 'nibrs'), path.join(env.dir, 'flat'));
  return env.start();
}

const FOLDERS = { 'ndex-feed': 'ndex', 'hpd-nibrs': 'nibrs', 'hpd-nibrs-flat': 'flat' } as const;

/** Copy a fixture (or write a text) into a connector's folder and wait for its transfer to end. */
async function ingest(hub: Hub, connector: keyof typeof FOLDERS, fixture: string, text?: string) {
  const to = path.join(env!.dir, FOLDERS[connector], path.basename(fixture));
  if (text === undefined) copyFileSync(path.join(PROJECT_ROOT, 'fixtures', fixture), to);
  else writeFileSync(to, text);
  const id = await runOnce(hub, connector);
  return waitFor(`transfer ${id}`, async () => {
    const t = await hub.store.getTransfer(id);
    return t && !['queued', 'running'].includes(t.status) ? t : null;
  });
}

describe('N-DEx publish instructions in the store', () => {
  it('Insert again replaces the data item, Delete tombstones what it published', async () => {
    const hub = await setup();
    const t1 = await ingest(hub, 'ndex-feed', 'ndex/incident-arrest.xml');
    expect(t1).toMatchObject({ status: 'succeeded', counts: { read: 2, mapped: 2, invalid: 0 } });
    const spCase = (await hub.store.getRecord('Case', 'CTCSP0000|CFS2400012345'))!;
    const spGun = (await hub.store.getRecord('Firearm', 'agency:CTCSP0000|CFS2400012345|P24-00871'))!;
    expect(spGun).toMatchObject({ serial: { normalized: 'BXRT812' }, caliber: { code: '9' }, gunType: { code: 'PI' } });
    expect(await hub.store.getRecord('Firearm', 'agency:CT0006400|24-004980|HPD-P-24-3311')).toMatchObject({ gunType: { code: 'PR' } });
    expect(await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: 'CFS2400012345' }, 10)).toHaveLength(2);

    const t2 = await ingest(hub, 'ndex-feed', 'ndex/publish-instructions.xml');
    expect(t2).toMatchObject({ status: 'succeeded', counts: { read: 3, mapped: 3, invalid: 0 } });

    // Delete: the State Police data item published the case, the gun and two weapons: all tombstones.
    expect(await hub.store.getRecord('Case', spCase.key)).toBeUndefined();
    expect(await hub.store.getRecord('Firearm', spGun.key)).toBeUndefined();
    expect(await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: 'CFS2400012345' }, 10)).toEqual([]);
    const tomb = await hub.store.getRecord('Firearm', spGun.key, { includeDeleted: true });
    expect(tomb).toMatchObject({ id: spGun.id, deleted: true, version: spGun.version + 1 });
    expect(tomb!.sourceRefs!.at(-1)).toMatchObject({ source: 'ndex-feed', recordId: 'CTCSP0000-RMS-2024-0012345', action: 'delete' });

    // Insert again: the corrected offense replaces the old one, the revolver no longer published is gone.
    const hartford = (await hub.store.getRecord('Case', 'CT0006400|24-004980'))!;
    expect(hartford.offenses).toEqual([{ code: 'Aggravated Assault_nonfamily_gun', system: 'NDEX-OFFENSE', text: 'Aggravated Assault_nonfamily_gun' }]);
    expect(await hub.store.getRecord('Firearm', 'agency:CT0006400|24-004980|HPD-P-24-3310')).toMatchObject({ model: '17 Gen4', gunType: { code: 'PA' } });
    expect(await hub.store.getRecord('Firearm', 'agency:CT0006400|24-004980|HPD-P-24-3311')).toBeUndefined();
    expect((await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: '24-004980' }, 10)).map((w) => [w.sequence, (w.category as { code: string }).code])).toEqual([[1, '12']]);
  });
});

describe('NIBRS report actions in the store', () => {
  it('R replaces the incident, D tombstones it; a Group B delete withdraws the arrest only; weapon codes are never Firearms', async () => {
    const hub = await setup();
    await ingest(hub, 'hpd-nibrs', 'nibrs/group-a-incident.xml');
    const incident = (await hub.store.getRecord('Case', 'CT0006400|24-004512'))!;
    expect((incident.offenses as { code: string }[]).map((o) => o.code)).toEqual(['13A', '120', '290']);
    const weapons = await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: '24-004512' }, 20);
    expect(weapons).toHaveLength(6);
    expect(await hub.store.findRecords('Firearm', { agencyOri: 'CT0006400' }, 10)).toEqual([]);

    await ingest(hub, 'hpd-nibrs', 'nibrs/group-a-replace.xml');
    const replaced = (await hub.store.getRecord('Case', incident.key))!;
    expect((replaced.offenses as { code: string }[]).map((o) => o.code)).toEqual(['09A', '13B']);
    const after = await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: '24-004512' }, 20);
    expect(after.map((w) => w.key).sort()).toEqual(['CT0006400|24-004512|arrest|HPD-A24-0311|1', 'CT0006400|24-004512|offense|09A|1']);

    await ingest(hub, 'hpd-nibrs', 'nibrs/group-b-arrest.xml');
    expect(await hub.store.getRecord('Case', 'CT0006400|HPD-A24-0402')).toMatchObject({ offenses: [{ code: '90D', text: 'Driving Under the Influence' }] });
    await ingest(hub, 'hpd-nibrs', 'nibrs/group-b-arrest-delete.xml');
    expect(await hub.store.getRecord('Case', 'CT0006400|HPD-A24-0402')).toBeUndefined();
    expect(await hub.store.getRecord('Case', incident.key)).toMatchObject({ version: replaced.version });

    await ingest(hub, 'hpd-nibrs', 'nibrs/incident-delete.xml');
    expect(await hub.store.getRecord('Case', incident.key)).toBeUndefined();
    expect(await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: '24-004512' }, 20)).toEqual([]);
    expect(await hub.store.getRecord('Case', incident.key, { includeDeleted: true })).toMatchObject({ deleted: true });
  });
});

describe('NIBRS flat files in the store', () => {
  it('an incident stores the records its XML would; a delete tombstones them; a stray segment is quarantined with its line', async () => {
    const hub = await setup();
    const t1 = await ingest(hub, 'hpd-nibrs-flat', 'nibrs-flat/group-a-incident.txt');
    expect(t1).toMatchObject({ status: 'succeeded', counts: { read: 1, mapped: 1, invalid: 0 } });
    const incident = (await hub.store.getRecord('Case', 'CT0006400|24-004512'))!;
    expect(incident).toMatchObject({ offenses: [{ code: '13A' }, { code: '120' }, { code: '290' }], occurredAt: '2024-03-01T22:00:00-05:00' });
    expect(incident.sourceRefs![0]).toMatchObject({ source: 'hpd-nibrs-flat', recordId: '1|24-004512', mapping: 'nibrs-flat@3', pointer: { file: 'group-a-incident.txt', row: 1, line: 1 } });
    const weapons = await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: '24-004512' }, 20);
    expect(weapons.map((w) => w.key).sort()).toEqual([
      'CT0006400|24-004512|arrest|HPD-A24-0311|1',
      'CT0006400|24-004512|arrest|HPD-A24-0311|2',
      'CT0006400|24-004512|offense|120|1',
      'CT0006400|24-004512|offense|120|2',
      'CT0006400|24-004512|offense|13A|1',
      'CT0006400|24-004512|offense|13A|2',
    ]);
    expect(await hub.store.findRecords('Firearm', { agencyOri: 'CT0006400' }, 10)).toEqual([]);

    // The delete of the incident, and an offense segment of an incident whose Administrative segment is missing.
    const del = '00881D032024    CT000640024-004512\r\n00632I032024    CT000640024-009999   120C   13      12       88\r\n';
    const t2 = await ingest(hub, 'hpd-nibrs-flat', 'delete.txt', del);
    expect(t2).toMatchObject({ status: 'partial', counts: { read: 2, mapped: 1, invalid: 1 } });
    expect(await hub.store.getRecord('Case', incident.key)).toBeUndefined();
    expect(await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: '24-004512' }, 20)).toEqual([]);
    expect(await hub.store.getRecord('Case', incident.key, { includeDeleted: true })).toMatchObject({ deleted: true, version: incident.version + 1 });
    const [stray] = await hub.store.listQuarantine({ transferId: t2.id });
    expect(stray).toMatchObject({ code: 'HUB_ERR_SOURCE_FIXED_SEGMENT', pointer: { file: 'delete.txt', row: 1, line: 2 } });
    expect(stray!.message).toContain('Line 2 cannot be placed in a record: its id differs from that of the record opened at line 1');
    expect(await hub.store.getRecord('Case', 'CT0006400|24-009999')).toBeUndefined();
  });
});

describe("a connector brings its own agency's records", () => {
  it("a report of another agency is quarantined with HUB_ERR_RECORD_AGENCY and its pointer; the connector's own is stored", async () => {
    const hub = await setup();
    // Hartford's connector (hpd-nibrs, no allowOtherAgencies) is handed East Hartford's report.
    const other = readFileSync(path.join(PROJECT_ROOT, 'fixtures/nibrs/group-a-incident.xml'), 'utf8').replaceAll('CT0006400', 'CT0004300');
    writeFileSync(path.join(env!.dir, 'nibrs', 'east-hartford.xml'), other);
    const id = await runOnce(hub, 'hpd-nibrs');
    const t = await waitFor(`transfer ${id}`, async () => {
      const x = await hub.store.getTransfer(id);
      return x && !['queued', 'running'].includes(x.status) ? x : null;
    });
    expect(t).toMatchObject({ status: 'partial', counts: { read: 1, mapped: 0, invalid: 1 } });
    expect(await hub.store.getRecord('Case', 'CT0004300|24-004512')).toBeUndefined();
    const entries = (await hub.store.listQuarantine({ transferId: id })).filter((q) => q.code === 'HUB_ERR_RECORD_AGENCY');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries[0]).toMatchObject({ connectorId: 'hpd-nibrs', field: 'agencyOri', pointer: { file: 'east-hartford.xml', row: 1 } });
    expect(entries[0]!.message).toContain("not of the connector's agency CT0006400");
    expect(entries[0]!.pointer!.xpath).toMatch(/OrganizationORIIdentification/);
    // Its own report goes through.
    await ingest(hub, 'hpd-nibrs', 'nibrs/group-a-incident.xml');
    expect(await hub.store.getRecord('Case', 'CT0006400|24-004512')).toBeDefined();
  });

  it("another agency's delete of the same incident number is quarantined, and the connector's own incident stays", async () => {
    const hub = await setup();
    await ingest(hub, 'hpd-nibrs', 'nibrs/group-a-incident.xml');
    const incident = (await hub.store.getRecord('Case', 'CT0006400|24-004512'))!;
    // East Hartford deletes its own incident 24-004512; the report reaches Hartford's connector.
    const other = readFileSync(path.join(PROJECT_ROOT, 'fixtures/nibrs/incident-delete.xml'), 'utf8').replaceAll('CT0006400', 'CT0004300');
    const t = await ingest(hub, 'hpd-nibrs', 'east-hartford-delete.xml', other);
    expect(t).toMatchObject({ status: 'partial', counts: { read: 1, mapped: 0, invalid: 1 } });
    const [entry] = await hub.store.listQuarantine({ transferId: t.id });
    expect(entry).toMatchObject({ code: 'HUB_ERR_RECORD_SOURCE_AGENCY', field: 'source.agency', pointer: { file: 'east-hartford-delete.xml', row: 1 } });
    expect(await hub.store.getRecord('Case', incident.key)).toMatchObject({ version: incident.version });
    expect(await hub.store.findRecords('WeaponInvolved', { agencyCaseNumber: '24-004512' }, 20)).toHaveLength(6);
  });
});
