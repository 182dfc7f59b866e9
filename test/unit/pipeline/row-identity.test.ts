import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadMapping } from '../../../src/mapping/load.ts';
import type { InboundMapping, MappedRecord } from '../../../src/mapping/inbound.ts';
import { rowIdentity } from '../../../src/pipeline/row-identity.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const load = async (p: string) => (await loadMapping(path.join(ROOT, p))) as InboundMapping;

describe('row identity: the same row in a later export', () => {
  it("a CSV row is known by the key columns of the mapping's first record, trimmed and case-insensitively; its stored records give the same identity", async () => {
    const id = rowIdentity(await load('test/integration/fixtures/case-csv/mapping.yaml'));
    const bad = id.ofRaw({ ORI: ' ct0006400 ', CASE: 'C-000003', DATE: '02/30/2026', TOWN: 'Hartford' });
    expect(bad).toMatch(/^[0-9a-f]{32}$/);
    expect(id.ofRaw({ ORI: 'CT0006400', CASE: 'c-000003', DATE: '03/14/2026', TOWN: 'x' })).toBe(bad);
    expect(id.ofRaw({ ORI: 'CT0006400', CASE: 'C-000004' })).not.toBe(bad);
    expect(id.ofRaw({ ORI: 'CT0006400', CASE: '  ' })).toBeUndefined(); // no key: no identity
    const stored = { type: 'Case', agencyOri: 'CT0006400', agencyCaseNumber: 'C-000003' } as unknown as MappedRecord;
    expect(id.ofRecords([stored, { ...stored, type: 'LabCase' } as MappedRecord])).toEqual([bad]);
  });

  it('JSON rows by their plain paths; an XML mapping gives none', async () => {
    const json = rowIdentity(await load('test/integration/fixtures/case-ndjson/mapping.yaml'));
    expect(json.ofRaw({ ori: 'CT0006400', case: 'D-1' })).toBe(json.ofRecords([{ type: 'Case', agencyOri: 'CT0006400', agencyCaseNumber: 'D-1' } as unknown as MappedRecord])[0]);
    expect(json.ofRaw('<not json>')).toBeUndefined();
    const xml = rowIdentity(await load('mappings/lims-xml/mapping.yaml'));
    expect(xml.ofRaw('<LabCase/>')).toBeUndefined();
    expect(xml.ofRecords([{ type: 'LabCase', labCaseNumber: 'L1' } as unknown as MappedRecord])).toEqual([]);
  });
});
