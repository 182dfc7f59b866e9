/**
 * The Firearm records of N-DEx packages, on the inline inputs of golden cases: the NCIC gun type from
 * NIEM 2.0's two letters, and never a type code read from the second letter alone; when and by whom
 * a firearm was recovered, from the payload's item status.
 */
import { describe, expect, it } from 'vitest';
import { loadCodeTables } from '../../src/codes/index.ts';
import { loadMapping } from '../../src/mapping/load.ts';
import type { FieldSpecObject } from '../../src/mapping/spec.ts';
import { runGoldenCase } from '../../test/support/golden-case.ts';

describe('ndex-2.1-lexs: firearms', () => {
  it('a second type letter without its category is no TYP code: uncoded, its GTYP2 meaning kept, reported unknown', async () => {
    const run = await runGoldenCase('ndex-2.1-lexs', 'category-description-only');
    expect(run.invalid).toEqual([]);
    const types = run.records.filter((r) => r.type === 'Firearm').map((r) => r.gunType);
    expect(types).toEqual([
      { code: null, system: 'NCIC-TYP', text: 'REVOLVER' },
      { code: 'PR', system: 'NCIC-TYP', text: 'PR' },
      { code: 'P', system: 'NCIC-TYP', text: 'P' },
    ]);
    expect(run.warnings.map((w) => [w.code, w.field])).toEqual([['HUB_ERR_CODE_UNKNOWN', 'gunType']]);
  });

  it("the mapping's GTYP2 meanings are those of the hub's table ncic-gun-type-2, letter for letter", async () => {
    const mapping = await loadMapping('ndex-2.1-lexs');
    const gunType = mapping.spec.records!.find((r) => r.type === 'Firearm')!.fields.gunType as FieldSpecObject;
    const descriptionOnly = gunType.concat![2] as FieldSpecObject;
    const meanings = (descriptionOnly.ops!.find((o) => typeof o === 'object' && 'map' in o) as { map: { values: Record<string, string> } }).map.values;
    const table = (await loadCodeTables()).get('ncic-gun-type-2')!;
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').filter((l) => table.has(l));
    expect(Object.keys(meanings)).toEqual(letters);
    for (const l of letters) expect(meanings[l], l).toBe(table.describe(l));
  });

  it('a Recovered or Seized item status makes the firearm recovered: its date, and the data owner as the agency', async () => {
    const run = await runGoldenCase('ndex-2.1-lexs', 'firearm-status');
    expect(run.invalid).toEqual([]);
    const recovered = run.records.filter((r) => r.type === 'Firearm').map((r) => [r.agencyItemNumber, r.recoveredAt, r.recoveredBy]);
    expect(recovered).toEqual([
      ['Firearm1', '2024-05-20T00:00:00-04:00', 'CT0009300'],
      ['Firearm2', '2024-05-20T23:41:00-04:00', 'CT0009300'],
      ['Firearm3', undefined, undefined],
      ['Firearm4', undefined, 'CT0009300'],
    ]);
  });
});
