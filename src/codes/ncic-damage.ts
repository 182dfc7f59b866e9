/**
 * The check for damaged entries in the NCIC gun tables as the upstream package carries them.
 *
 * Input: the field values of the gun code types (MAK, CAL, GTYP, GTYP2, GTYP3), code -> description,
 * exactly as @cityssm/ncic-lookup returns them. Output: every entry that cannot be what the NCIC code
 * manual says, each with the reason; an empty list when the tables are sound.
 *
 * An entry is damaged when:
 *   - its code does not have the form of its code type: MAK two to four letters or digits, CAL one to
 *     four digits, GTYP and GTYP2 one letter, GTYP3 one or two letters (a code of punctuation only,
 *     such as "--", is the typical damage: it can never be sent to NCIC);
 *   - its code carries spaces or lower-case letters, or two codes differ only by them;
 *   - its description is empty or has no letter or digit;
 *   - (GTYP3) a two-letter code is not a GTYP letter followed by a GTYP2 letter, since every gun type
 *     code is characteristic 1 followed by characteristic 2.
 * Descriptions are otherwise taken as NCIC wrote them (typos, run-together words and all): they are
 * matched only as written, so they cannot produce a wrong code.
 *
 * Run it with `npm run check:ncic`; repairs live in ncic-repairs.ts.
 */

export type NcicCodeType = 'MAK' | 'CAL' | 'GTYP' | 'GTYP2' | 'GTYP3';

export const NCIC_GUN_CODE_TYPES: readonly NcicCodeType[] = ['MAK', 'CAL', 'GTYP', 'GTYP2', 'GTYP3'];

export interface DamagedEntry {
  readonly type: NcicCodeType;
  readonly code: string;
  readonly description: string;
  readonly problem: string;
}

const CODE_FORM: Record<NcicCodeType, { pattern: RegExp; says: string }> = {
  MAK: { pattern: /^[A-Z0-9]{2,4}$/, says: 'two to four letters or digits' },
  CAL: { pattern: /^[0-9]{1,4}$/, says: 'one to four digits' },
  GTYP: { pattern: /^[A-Z]$/, says: 'one letter' },
  GTYP2: { pattern: /^[A-Z]$/, says: 'one letter' },
  GTYP3: { pattern: /^[A-Z]{1,2}$/, says: 'one or two letters' },
};

/** Every damaged entry of the given tables, in code type order, then in the package's order. */
export function findDamagedEntries(tables: Partial<Record<NcicCodeType, Readonly<Record<string, string>>>>): DamagedEntry[] {
  const found: DamagedEntry[] = [];
  for (const type of NCIC_GUN_CODE_TYPES) {
    const values = tables[type];
    if (!values) continue;
    const seen = new Map<string, string>();
    for (const [code, description] of Object.entries(values)) {
      const damaged = (problem: string) => found.push({ type, code, description, problem });
      const normalized = code.trim().toUpperCase();
      if (normalized !== code) damaged('the code carries spaces or lower-case letters');
      else if (!CODE_FORM[type].pattern.test(code)) damaged(`a ${type} code is ${CODE_FORM[type].says}`);
      const twin = seen.get(normalized);
      if (twin !== undefined) damaged(`the same code as "${twin}" once trimmed and upper-cased`);
      else seen.set(normalized, code);
      if (typeof description !== 'string' || !/[A-Za-z0-9]/.test(description)) damaged('the description is empty');
      if (type === 'GTYP3' && /^[A-Z]{2}$/.test(code)) {
        const first = tables.GTYP?.[code[0]!];
        const second = tables.GTYP2?.[code[1]!];
        if (tables.GTYP && first === undefined) damaged(`"${code[0]}" is not a GTYP (characteristic 1) code`);
        if (tables.GTYP2 && second === undefined) damaged(`"${code[1]}" is not a GTYP2 (characteristic 2) code`);
      }
    }
  }
  return found;
}
