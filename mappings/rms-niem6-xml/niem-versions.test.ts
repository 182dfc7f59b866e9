/**
 * Acceptance: the firearm moved between NIEM releases (NIEM 2.0 nc:Firearm / nc:FirearmCaliberCode,
 * NIEM 6.0 j:Firearm / j:FirearmBoreSizeCode), yet the same gun must become the same canonical Firearm
 * whichever release an agency's RMS sends. Both fixtures (fixtures/rms-niem2/incident.xml with n2:/lx:
 * prefixes, fixtures/rms-niem6/incident.xml with core:/jus: and a default namespace) are mapped through
 * the shipped mappings with the real loader and reader; the Firearm records must be deep-equal once the
 * provenance (sourceRefs) is removed, id and key included. The same holds for the Case, and for every
 * record of generated NIEM 2.0 and 6.0 files of one seed (the generator renders the same incidents).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/index.ts';
import { InboundMapping, type MappedRecord } from '../../src/mapping/inbound.ts';
import { loadMapping, PROJECT_ROOT } from '../../src/mapping/load.ts';
import { emptySummary, mapStream, type InvalidSource, type MapSummary } from '../../src/mapping/run.ts';

const RECEIVED_AT = '2026-01-01T00:00:00.000Z';

async function inboundMapping(id: string): Promise<InboundMapping> {
  const m = await loadMapping(id);
  if (!(m instanceof InboundMapping)) throw new Error(`${id} is not an inbound mapping`);
  return m;
}

async function mapBytes(id: string, bytes: Buffer, file: string): Promise<{ records: MappedRecord[]; invalid: InvalidSource[]; summary: MapSummary }> {
  const mapping = await inboundMapping(id);
  const summary = emptySummary();
  const records: MappedRecord[] = [];
  const invalid: InvalidSource[] = [];
  for await (const b of mapStream(mapping, Readable.from([bytes]), summary, { file, timezone: 'America/New_York', receivedAt: RECEIVED_AT })) {
    records.push(...b.records);
    invalid.push(...b.invalid);
  }
  return { records, invalid, summary };
}

function mapFixture(id: string, fixture: string) {
  return mapBytes(id, readFileSync(path.join(PROJECT_ROOT, fixture)), path.basename(fixture));
}

function withoutProvenance(r: MappedRecord): Omit<MappedRecord, 'sourceRefs'> {
  const { sourceRefs: _s, ...rest } = r;
  return rest;
}

async function generated(niem: 2 | 6, rows: number, seed: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await generate('rms-xml', { rows, seed, niem }, out);
  out.end();
  return Buffer.concat(chunks);
}

describe('NIEM 2.0 and NIEM 6.0 map the same gun to the same canonical Firearm', () => {
  it('the two fixtures give deep-equal Firearm (and Case) records apart from sourceRefs', async () => {
    const v2 = await mapFixture('rms-niem2-xml', 'fixtures/rms-niem2/incident.xml');
    const v6 = await mapFixture('rms-niem6-xml', 'fixtures/rms-niem6/incident.xml');
    expect(v2.invalid).toEqual([]);
    expect(v6.invalid).toEqual([]);

    const f2 = v2.records.filter((r) => r.type === 'Firearm');
    const f6 = v6.records.filter((r) => r.type === 'Firearm');
    expect(f2).toHaveLength(1);
    expect(f6).toHaveLength(1);
    const [a, b] = [f2[0]!, f6[0]!];
    expect(b.id).toBe(a.id);
    expect(b.key).toBe(a.key);
    expect(a.key).toBe('agency:CTCSP0000|CFS2400012345|1');
    expect(withoutProvenance(b)).toStrictEqual(withoutProvenance(a));
    // What they agree on, spelled out: the Glock 19, serial BXRT812, NCIC CAL 9.
    expect(withoutProvenance(a)).toMatchObject({
      serial: { raw: 'BXRT812', normalized: 'BXRT812', obliterated: false },
      make: { code: 'GLC', system: 'NCIC-MAK' },
      model: '19',
      caliber: { code: '9', system: 'NCIC-CAL' },
      gunType: { code: 'PI', system: 'NCIC-TYP' },
      recoveredAt: '2024-03-12T23:05:00-04:00',
    });
    // Provenance is what differs: each record names its own mapping and source.
    expect(a.sourceRefs[0]!.mapping).toBe('rms-niem2-xml@1');
    expect(b.sourceRefs[0]!.mapping).toBe('rms-niem6-xml@1');

    const c2 = v2.records.filter((r) => r.type === 'Case').map(withoutProvenance);
    const c6 = v6.records.filter((r) => r.type === 'Case').map(withoutProvenance);
    expect(c6).toStrictEqual(c2);
    expect(c2).toHaveLength(1);
  });

  it('generated NIEM 2.0 and 6.0 files of one seed give the same records, in order, apart from sourceRefs', async () => {
    const rows = 400;
    const v2 = await mapBytes('rms-niem2-xml', await generated(2, rows, 11), 'rms2.xml');
    const v6 = await mapBytes('rms-niem6-xml', await generated(6, rows, 11), 'rms6.xml');
    expect(v2.summary.rowsRead).toBe(rows);
    expect(v6.summary.rowsRead).toBe(rows);
    expect(v2.invalid).toEqual([]);
    expect(v6.invalid).toEqual([]);
    expect(v2.summary.unknownCodes).toEqual({});
    expect(v2.summary.recordsByType.Firearm ?? 0).toBeGreaterThan(50);
    expect(v6.records.map(withoutProvenance)).toStrictEqual(v2.records.map(withoutProvenance));
  });
});
