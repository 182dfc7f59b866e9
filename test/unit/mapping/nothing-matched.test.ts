/**
 * "Nothing matched": a record path that never matched, or a record `forEach` that matched no element in
 * any source record, is in the summary with the document's root element (name and namespace), in
 * cgic map's summary lines and the console playground's alike (src/mapping/preview.ts); `cgic map` exits
 * 1 (EXIT.FAILED) when nothing at all was read from a non-empty file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, loadMapping } from '../../../src/mapping/load.ts';
import { InboundMapping } from '../../../src/mapping/inbound.ts';
import { previewMapping, summaryLines } from '../../../src/mapping/preview.ts';
import { EXIT } from '../../../src/cli/exit-codes.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { mapText } from './helpers.ts';

const NS = 'urn:example:rms';
const spec = (record: string, forEach = 'r:Gun'): MappingSpec => ({
  id: 'nothing-fixture',
  version: 1,
  direction: 'inbound',
  namespaces: { r: NS },
  source: { format: 'xml', xml: { record } },
  records: [
    { type: 'Case', fields: { agencyOri: { value: 'CT0015100' }, agencyCaseNumber: 'r:No' } },
    { type: 'Firearm', forEach, fields: { agencyOri: { value: 'CT0015100' }, agencyCaseNumber: '../r:No', agencyItemNumber: '@id' } },
  ],
});

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cgic-nothing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a document whose root matches no record path', () => {
  it('reads no record; the summary names the root element and its namespace, and the record path', async () => {
    const r = await mapText(spec('//r:Incident'), '<?xml version="1.0"?>\n<x:Export xmlns:x="urn:example:other"><x:Incident/></x:Export>\n', { file: 'other.xml' });
    expect(r.summary.rowsRead).toBe(0);
    expect(r.summary.document).toEqual({ root: 'x:Export', namespace: 'urn:example:other' });
    expect(r.summary.nothingMatched).toEqual([{ what: 'record', path: '//r:Incident' }]);
    const lines = summaryLines(r.summary, 'nothing-fixture@1', 'other.xml');
    expect(lines).toContain('  document       root element x:Export {urn:example:other}');
    expect(lines).toContain(
      "    record path //r:Incident: no element of the document matched; its root element is x:Export {urn:example:other} (check the mapping's source.xml.record and namespaces against it, or whether this is the mapping for this file)",
    );
  });

  it('a root in no namespace is said so; an element with the right name in another namespace does not match', async () => {
    const r = await mapText(spec('/r:Export/r:Incident'), '<Export><Incident/></Export>');
    expect(r.summary.document).toEqual({ root: 'Export', namespace: '' });
    expect(summaryLines(r.summary, 'm@1', 'x.xml')).toContain('  document       root element Export (no namespace)');
    expect(r.summary.nothingMatched).toEqual([{ what: 'record', path: '/r:Export/r:Incident' }]);
  });
});

describe('a record forEach', () => {
  const doc = (guns: string[]) =>
    `<r:Export xmlns:r="${NS}">${guns.map((g, i) => `<r:Incident><r:No>24-${i}</r:No>${g}</r:Incident>`).join('')}</r:Export>`;

  it('that matched no element in any source record is listed with the record type and the number of records', async () => {
    const r = await mapText(spec('//r:Incident', 'r:Gun'), doc(['', '', '<r:Weapon id="1"/>']));
    expect(r.summary.rowsRead).toBe(3);
    expect(r.summary.nothingMatched).toEqual([{ what: 'forEach', record: 1, type: 'Firearm', path: 'r:Gun', rows: 3 }]);
    expect(summaryLines(r.summary, 'm@1', 'x.xml')).toContain('    records[1] Firearm: forEach r:Gun matched no element in any of 3 source records');
  });

  it('that matched in one source record is not listed, and a run where everything matched has no such entry', async () => {
    const r = await mapText(spec('//r:Incident', 'r:Gun'), doc(['', '<r:Gun id="7"/>', '']));
    expect(r.summary.recordsByType).toEqual({ Case: 3, Firearm: 1 });
    expect(r.summary.nothingMatched).toBeUndefined();
    expect(summaryLines(r.summary, 'm@1', 'x.xml').join('\n')).not.toContain('nothing matched');
  });
});

describe('a CSV header row below line 1 that the file never reaches', () => {
  it('is reported; a header-only export is an empty export, not reported', async () => {
    const csv: MappingSpec = { id: 'c', version: 1, direction: 'inbound', source: { format: 'csv', csv: { headerRow: 4 } }, records: [{ type: 'Case', fields: { agencyOri: 'ORI', agencyCaseNumber: 'NO' } }] };
    const short = await mapText(csv, 'Title\nPrinted\n');
    expect(short.summary.nothingMatched).toEqual([{ what: 'record', path: 'header row 4' }]);
    const empty = await mapText({ ...csv, source: { format: 'csv' } }, 'ORI,NO\n');
    expect(empty.summary).toMatchObject({ rowsRead: 0 });
    expect(empty.summary.nothingMatched).toBeUndefined();
  });
});

describe('the preview the console shares with cgic map', () => {
  it('gives the same report', async () => {
    const m = await loadMapping('ndex-2.1-lexs');
    if (!(m instanceof InboundMapping)) throw new Error('inbound');
    const nibrs = '<nibrs:Submission xmlns:nibrs="http://fbi.gov/cjis/nibrs/2019"><nibrs:Report/></nibrs:Submission>';
    const summary = await previewMapping(m, Readable.from([Buffer.from(nibrs)]), { records() {}, retraction() {}, invalid() {}, warning() {} }, { file: 'nibrs.xml' });
    expect(summary.document).toEqual({ root: 'nibrs:Submission', namespace: 'http://fbi.gov/cjis/nibrs/2019' });
    expect(summary.nothingMatched).toEqual([{ what: 'record', path: '//lexs:DataItemPackage' }]);
  });
});

describe('cgic map', () => {
  const cgic = (...args: string[]) => spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), ...args], { encoding: 'utf8', cwd: PROJECT_ROOT });

  it('on a NIBRS document with the N-DEx mapping: says nothing matched, names the root, and exits 1', () => {
    const r = cgic('map', '-m', 'ndex-2.1-lexs', 'fixtures/nibrs/group-a-incident.xml');
    expect(r.status).toBe(EXIT.FAILED);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('  rows read      0\n');
    expect(r.stderr).toContain('  document       root element nibrs:Submission {http://fbi.gov/cjis/nibrs/2019}\n');
    expect(r.stderr).toContain('  nothing matched\n    record path //lexs:DataItemPackage: no element of the document matched; its root element is nibrs:Submission {http://fbi.gov/cjis/nibrs/2019}');
  });

  it('on the right mapping exits 0; an empty file is not a document whose root matched nothing', () => {
    const ok = cgic('map', '-m', 'nibrs-2019', '-q', 'fixtures/nibrs/group-a-incident.xml');
    expect(ok.status).toBe(EXIT.OK);
    expect(ok.stderr).not.toContain('record path');
    const empty = path.join(tmp, 'empty.xml');
    writeFileSync(empty, '');
    const e = cgic('map', '-m', 'nibrs-2019', '-q', empty);
    expect(e.stderr).toContain('HUB_ERR_SOURCE_XML'); // no root element: not well-formed, an invalid row
    expect(e.stderr).not.toContain('nothing matched');
  });
});
