/**
 * Repairs of NCIC gun-table entries that the upstream package carries damaged.
 *
 * Input: the field values of one NCIC code type as @cityssm/ncic-lookup gives them (code ->
 * description). Output: a new object with every damaged entry of that type replaced by the entry of
 * the NCIC code manual; the package's own object is never changed.
 *
 * Which entries are damaged is decided by `findDamagedEntries` (ncic-damage.ts), a check anyone can
 * run (`npm run check:ncic`); every entry it lists must have a repair here, and every repair here must
 * address an entry it lists (test/unit/codes/ncic-repairs.test.ts holds both directions). When the
 * package is fixed upstream, the repair no longer finds its damaged entry and the test says so.
 *
 * The restored codes are public facts of the NCIC 2000 code manual (Gun Data Codes, type field): a gun
 * type code is characteristic 1 (GTYP: P pistol, R rifle, S shotgun...) followed by characteristic 2
 * (GTYP2: A automatic, I semiautomatic, R revolver...).
 */
import type { NcicCodeType } from './ncic-damage.ts';

export interface NcicRepair {
  /** The NCIC code type the entry belongs to. */
  readonly type: NcicCodeType;
  /** The code as the package carries it. */
  readonly damagedCode: string;
  /** The package's description of that entry: the repair applies only while it still reads so. */
  readonly description: string;
  /** The code of the NCIC code manual. */
  readonly code: string;
  /** Why this is the code, for the next person who reads the table. */
  readonly reason: string;
}

export const NCIC_REPAIRS: readonly NcicRepair[] = [
  {
    type: 'GTYP3',
    damagedCode: '--',
    description: 'PISTOL, AUTOMATIC',
    code: 'PA',
    reason:
      'NCIC TYP PA, pistol, automatic: GTYP P (pistol) + GTYP2 A (automatic action), as PI is P + I (semiautomatic) ' +
      'and RA is R + A (rifle, automatic). The NIEM-generated list lost the code and kept "--".',
  },
];

/**
 * The field values of `type` with its repairs applied, in the package's order (a restored entry takes
 * the damaged one's place). A repair whose damaged entry is absent, or whose description differs,
 * changes nothing (the package was fixed or changed; the repair test reports it).
 */
export function applyNcicRepairs(
  type: NcicCodeType,
  values: Readonly<Record<string, string>>,
  repairs: readonly NcicRepair[] = NCIC_REPAIRS,
): Record<string, string> {
  const mine = repairs.filter((r) => r.type === type && values[r.damagedCode] === r.description);
  if (mine.length === 0) return { ...values };
  const out: Record<string, string> = {};
  for (const [code, description] of Object.entries(values)) {
    const repair = mine.find((r) => r.damagedCode === code);
    if (repair) out[repair.code] = description;
    else out[code] = description;
  }
  return out;
}
