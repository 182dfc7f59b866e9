/**
 * The NCIC gun tables as the upstream package @cityssm/ncic-lookup (MIT, generated from NIEM 5.2
 * ncic.xsd) carries them: code -> description per code type, unrepaired (see ncic-repairs.ts).
 */
import type { NcicCodeType } from './ncic-damage.ts';

/** The part of @cityssm/ncic-lookup's API the hub uses. */
interface NcicLookup {
  getFieldValues(codeType: NcicCodeType): Promise<Record<string, string>>;
}

/**
 * The package ships its TypeScript source next to its JavaScript, and under NodeNext resolution `tsc`
 * would type-check that source (which does not pass `strict`). Importing through a non-literal
 * specifier keeps it out of our compilation; the interface above types what we call.
 */
const NCIC_LOOKUP_PACKAGE: string = '@cityssm/ncic-lookup';

/**
 * The upstream field values of each requested code type. The package caches and shares its objects:
 * callers must not change them (applyNcicRepairs copies).
 */
export async function readNcicTables(types: Iterable<NcicCodeType>): Promise<Map<NcicCodeType, Readonly<Record<string, string>>>> {
  const lookup = (await import(NCIC_LOOKUP_PACKAGE)) as NcicLookup;
  const out = new Map<NcicCodeType, Readonly<Record<string, string>>>();
  for (const type of new Set(types)) out.set(type, await lookup.getFieldValues(type));
  return out;
}
