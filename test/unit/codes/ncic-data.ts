/** Test helper: the NCIC JSON files read straight from @cityssm/ncic-lookup, independently of src/codes. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { caliberKey, matchKey } from '../../../src/codes/index.ts';
import { applyNcicRepairs } from '../../../src/codes/ncic-repairs.ts';

const dataDir = join(dirname(createRequire(import.meta.url).resolve('@cityssm/ncic-lookup')), 'data');

export function ncicJson(type: 'MAK' | 'CAL' | 'GTYP' | 'GTYP2' | 'GTYP3'): Record<string, string> {
  return JSON.parse(readFileSync(join(dataDir, `${type}.json`), 'utf8')) as Record<string, string>;
}

/** The same, with the hub's repairs of damaged upstream entries applied (src/codes/ncic-repairs.ts). */
export function repairedNcicJson(type: 'MAK' | 'CAL' | 'GTYP' | 'GTYP2' | 'GTYP3'): Record<string, string> {
  return applyNcicRepairs(type, ncicJson(type));
}

/** Each synonym file, the NCIC code types its table holds and the key its table compares spellings by. */
export const SYNONYM_FILES = [
  { table: 'ncic-make', file: 'ncic-make.synonyms.yaml', ncic: ['MAK'], key: matchKey },
  { table: 'ncic-caliber', file: 'ncic-caliber.synonyms.yaml', ncic: ['CAL'], key: caliberKey },
  { table: 'ncic-gun-type', file: 'ncic-gun-type.synonyms.yaml', ncic: ['GTYP3', 'GTYP'], key: matchKey },
] as const;
