/**
 * The WeaponInvolved records of N-DEx packages, on the inline inputs of golden cases: each offense's
 * weapons are records of their own, also when offenses share an N-DEx code, and an offense whose code
 * is its own keeps the key it always had.
 */
import { describe, expect, it } from 'vitest';
import { runGoldenCase } from '../../test/support/golden-case.ts';

async function weapons(caseName: string): Promise<{ key: string; category: string }[]> {
  const run = await runGoldenCase('ndex-2.1-lexs', caseName);
  expect(run.invalid).toEqual([]);
  return run.records.filter((r) => r.type === 'WeaponInvolved').map((r) => ({ key: r.key, category: (r.category as { code: string }).code }));
}

describe('ndex-2.1-lexs: weapons involved', () => {
  it('two offenses with one N-DEx code: one record each, told apart by the offense digest id', async () => {
    expect(await weapons('same-offense-code')).toEqual([
      { key: 'CT0004300|24-005120|offense|Burglary_forced entry_residence/Offense1|1', category: '12' },
      { key: 'CT0004300|24-005120|offense|Burglary_forced entry_residence/Offense2|1', category: '14' },
      { key: 'CT0004300|24-005120|offense|Weapon Law_Carrying Concealed Weapon|1', category: '12' },
    ]);
  });
});
