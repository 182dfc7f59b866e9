/**
 * The WeaponInvolved records of N-DEx packages: each offense's weapons are records of their own, also
 * when offenses share an N-DEx code, and an offense whose code is its own keeps the key it always had
 * (the inline input of a golden case); what an arrestee was armed with is linked to the arrestee's
 * charge, a NIBRS offense code (fixtures/ndex/incident-arrest.xml).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InboundMapping, type MappedRecord } from '../../src/mapping/inbound.ts';
import { loadMapping, PROJECT_ROOT } from '../../src/mapping/load.ts';
import { emptySummary, mapStream } from '../../src/mapping/run.ts';
import { runGoldenCase } from '../../test/support/golden-case.ts';

async function weapons(caseName: string): Promise<{ key: string; category: string }[]> {
  const run = await runGoldenCase('ndex-2.1-lexs', caseName);
  expect(run.invalid).toEqual([]);
  return run.records.filter((r) => r.type === 'WeaponInvolved').map((r) => ({ key: r.key, category: (r.category as { code: string }).code }));
}

/** The values of the first `map` operation of a mapping that names the NIBRS offense 09A. */
function offenseNames(node: unknown): Record<string, string> | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const values = (node as { map?: { values?: Record<string, string> } }).map?.values;
  if (values && '09A' in values) return values;
  for (const child of Object.values(node)) {
    const found = offenseNames(child);
    if (found) return found;
  }
  return undefined;
}

describe('ndex-2.1-lexs: weapons involved', () => {
  it('two offenses with one N-DEx code: one record each, told apart by the offense digest id', async () => {
    expect(await weapons('same-offense-code')).toEqual([
      { key: 'CT0004300|24-005120|offense|Burglary_forced entry_residence/Offense1|1', category: '12' },
      { key: 'CT0004300|24-005120|offense|Burglary_forced entry_residence/Offense2|1', category: '14' },
      { key: 'CT0004300|24-005120|offense|Weapon Law_Carrying Concealed Weapon|1', category: '12' },
    ]);
  });

  it("an arrestee's weapon carries the arrestee's charge (j:ChargeUCRCode) as its NIBRS offense, when there is one", async () => {
    const armed = async (xml: string): Promise<MappedRecord[]> => {
      const mapping = (await loadMapping('ndex-2.1-lexs')) as InboundMapping;
      const out: MappedRecord[] = [];
      for await (const b of mapStream(mapping, Readable.from([Buffer.from(xml)]), emptySummary(), { file: 'x.xml' })) out.push(...b.records);
      return out.filter((r) => r.type === 'WeaponInvolved' && r.context === 'arrest');
    };
    const fixture = readFileSync(path.join(PROJECT_ROOT, 'fixtures/ndex/incident-arrest.xml'), 'utf8');
    const [charged] = await armed(fixture);
    expect(charged).toMatchObject({ key: 'CTCSP0000|CFS2400012345|arrest|1|1', category: { code: '12' } });
    expect(charged!.offense).toEqual({ code: '520', system: 'NIBRS-OFFENSE', text: 'Weapon Law Violations' });

    const [uncharged] = await armed(fixture.replace('<j:ChargeUCRCode>520</j:ChargeUCRCode>', ''));
    expect(uncharged).toMatchObject({ key: charged!.key, category: { code: '12' } });
    expect(uncharged!.offense).toBeUndefined();
  });

  it('the NIBRS offense names are those the nibrs-2019 mapping gives, code for code', async () => {
    const nibrs = offenseNames((await loadMapping('nibrs-2019')).spec);
    expect(Object.keys(nibrs ?? {}).length).toBeGreaterThan(60);
    expect(offenseNames((await loadMapping('ndex-2.1-lexs')).spec)).toEqual(nibrs);
  });
});
