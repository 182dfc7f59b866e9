/**
 * A fixed-width record is many lines: what is said of a part of it (an error in an offense segment, the
 * provenance of a weapon made from one) names that segment's own line, not the incident's first.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InboundMapping } from '../../src/mapping/inbound.ts';
import { loadMapping } from '../../src/mapping/load.ts';
import { emptySummary, mapStream, type MappedBatch } from '../../src/mapping/run.ts';

const lines = [
  '00881I032024    CT000640024-004513   20240301 22N',
  '00632I032024    CT000640024-004513   13BC   13      12       88',
  '00632I032024    CT000640024-004513   13AC   13      20A      88',
  '00881I032024    CT000640024-004514   20240302 10N',
  '00632I032024    CT000640024-004514   120C   13      12 13    88',
];

async function map(text: string): Promise<MappedBatch[]> {
  const mapping = (await loadMapping('nibrs-flat')) as InboundMapping;
  const out: MappedBatch[] = [];
  for await (const b of mapStream(mapping, Readable.from([Buffer.from(text)]), emptySummary(), { file: 'f.txt' })) out.push(b);
  return out;
}

describe('nibrs-flat: pointers into a segment name its line', () => {
  it('an error in the second offense segment names line 3; the weapons of incident 24-004514 name line 5', async () => {
    const batches = await map(lines.join('\r\n'));
    const invalid = batches.flatMap((b) => b.invalid);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.pointer).toEqual({ file: 'f.txt', row: 1, line: 1 });
    expect(invalid[0]!.errors[0]).toMatchObject({ code: 'HUB_ERR_RECORD_ENUM', pointer: { file: 'f.txt', row: 1, line: 3, jsonPointer: '/offenses/1/weaponForce/0' } });
    const records = batches.flatMap((b) => b.records);
    expect(records.map((r) => [r.key, r.sourceRefs[0]!.pointer])).toEqual([
      ['CT0006400|24-004514', { file: 'f.txt', row: 2, line: 4 }],
      ['CT0006400|24-004514|offense|120|1', { file: 'f.txt', row: 2, line: 5, jsonPointer: '/offenses/0' }],
      ['CT0006400|24-004514|offense|120|2', { file: 'f.txt', row: 2, line: 5, jsonPointer: '/offenses/0' }],
    ]);
  });
});
