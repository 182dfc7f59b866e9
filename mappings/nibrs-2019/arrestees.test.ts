/**
 * What each arrestee was armed with is a record of its own. Several arrestees of one arrest share its
 * transaction number, so their WeaponInvolved records are told apart by the arrestee's sequence
 * number (`12345/2`); an arrestee alone in an arrest keeps the key it always had (`HPD-A24-0311`).
 * Inputs: the IEPD's Group B sample with two arrestees of one arrest (fixtures/nibrs/public/), and
 * the Group A fixture with its second arrestee moved into the first arrest.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InboundMapping, type MappedRecord } from '../../src/mapping/inbound.ts';
import { loadMapping, PROJECT_ROOT } from '../../src/mapping/load.ts';
import { emptySummary, mapStream } from '../../src/mapping/run.ts';

const fixture = (f: string): string => readFileSync(path.join(PROJECT_ROOT, 'fixtures/nibrs', f), 'utf8');

async function armedWith(xml: string): Promise<{ key: string; category: string }[]> {
  const mapping = (await loadMapping('nibrs-2019')) as InboundMapping;
  const records: MappedRecord[] = [];
  for await (const b of mapStream(mapping, Readable.from([Buffer.from(xml)]), emptySummary(), { file: 'x.xml' })) {
    expect(b.invalid).toEqual([]);
    records.push(...b.records);
  }
  return records
    .filter((r) => r.type === 'WeaponInvolved' && r.context === 'arrest')
    .map((r) => ({ key: r.key, category: (r.category as { code: string }).code }));
}

describe('nibrs-2019: the weapons of each arrestee', () => {
  it('Group B, two arrestees of one arrest, both armed: two records, keyed by arrest and arrestee', async () => {
    const sample = fixture('public/nibrs_GroupBArrest_Sample_multipleArrestees.xml');
    expect(await armedWith(sample)).toEqual([
      { key: 'WVNDX0100|12345|arrest|12345/1|1', category: '12' },
      { key: 'WVNDX0100|12345|arrest|12345/2|1', category: '12' },
    ]);
    // The second arrestee armed with a shotgun instead: both weapons kept, neither overwrites the other.
    const shotgun = sample.replace(/(<j:ArrestSequenceID>2<\/j:ArrestSequenceID>[\s\S]*?<j:ArresteeArmedWithCode>)12</, '$114<');
    expect((await armedWith(shotgun)).map((w) => w.category)).toEqual(['12', '14']);
  });

  it('NIBRS 4.0 form (j: jxdm 5.1, each association naming the arrestee\'s nc:Person): the same records', async () => {
    const sample = fixture('public/nibrs_GroupBArrest_Sample_multipleArrestees.xml');
    const v40 = sample
      .replace('http://fbi.gov/cjis/nibrs/2019"', 'http://fbi.gov/cjis/nibrs/4.0"')
      .replace('http://release.niem.gov/niem/domains/jxdm/5.2/', 'http://release.niem.gov/niem/domains/jxdm/5.1/')
      .replace('<j:Subject s:ref="Arrestee1" />', '<j:Subject s:ref="PersonArrestee1" />')
      .replace('<j:Subject s:ref="Arrestee2" />', '<j:Subject s:ref="PersonArrestee2" />');
    expect(v40).toContain('<j:Subject s:ref="PersonArrestee2" />');
    expect(await armedWith(v40)).toEqual(await armedWith(sample));
    expect((await armedWith(v40)).map((w) => w.key)).toEqual(['WVNDX0100|12345|arrest|12345/1|1', 'WVNDX0100|12345|arrest|12345/2|1']);
  });

  it('Group A, a second armed arrestee in the same arrest: its own records; an arrestee alone in an arrest keeps its key', async () => {
    const alone = await armedWith(fixture('group-a-incident.xml'));
    expect(alone.map((w) => w.key)).toEqual(['CT0006400|24-004512|arrest|HPD-A24-0311|1', 'CT0006400|24-004512|arrest|HPD-A24-0311|2']);

    const shared = fixture('group-a-incident.xml')
      .replace('<j:ArresteeArmedWithCode>01</j:ArresteeArmedWithCode>', '<j:ArresteeArmedWithCode>14</j:ArresteeArmedWithCode>')
      .replace('<nc:Activity s:ref="Arrest2"/>', '<nc:Activity s:ref="Arrest1"/>');
    expect(await armedWith(shared)).toEqual([
      { key: 'CT0006400|24-004512|arrest|HPD-A24-0311/1|1', category: '12' },
      { key: 'CT0006400|24-004512|arrest|HPD-A24-0311/2|1', category: '14' },
      { key: 'CT0006400|24-004512|arrest|HPD-A24-0311/1|2', category: '15' },
    ]);
  });
});
