/**
 * The hub's code tables: the public NCIC gun tables (from @cityssm/ncic-lookup, generated from NIEM 5.2
 * ncic.xsd, with the entries it carries damaged repaired: ncic-repairs.ts) joined with the
 * administrators' synonym tables in `mappings/code-tables/`. The caliber table compares designations
 * by caliberKey (shotshell gauges, abbreviations) and indexes the spellings each CAL description lists.
 *
 * | table             | system      | codes                                                      | synonyms file                  |
 * |-------------------|-------------|------------------------------------------------------------|--------------------------------|
 * | `ncic-make`       | NCIC-MAK    | MAK (~4,450 makers and place codes)                        | ncic-make.synonyms.yaml        |
 * | `ncic-caliber`    | NCIC-CAL    | CAL (74)                                                   | ncic-caliber.synonyms.yaml     |
 * | `ncic-gun-type`   | NCIC-TYP    | GTYP3 combinations (PA, PI, PR, RI, SP...) + single GTYP   | ncic-gun-type.synonyms.yaml    |
 * | `ncic-gun-type-1` | NCIC-GTYP   | GTYP, characteristic 1 (P, R, S, M...)                     | none                           |
 * | `ncic-gun-type-2` | NCIC-GTYP2  | GTYP2, characteristic 2 (I, R, P, B...)                    | none                           |
 *
 * `loadCodeTables()` reads all of it once per process and builds every index once.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { caliberDescriptionSpellings } from './caliber-descriptions.ts';
import { caliberKey } from './caliber-key.ts';
import { createCodeTable, type CodeTable } from './code-table.ts';
import type { NcicCodeType } from './ncic-damage.ts';
import { isPlaceMakeCode } from './ncic-place-codes.ts';
import { applyNcicRepairs } from './ncic-repairs.ts';
import { readNcicTables } from './ncic-source.ts';
import { readSynonymFile, type SynonymEntry } from './synonyms.ts';

export interface CodeTables {
  get(name: string): CodeTable | undefined;
  names(): string[];
}

export interface BuildCodeTablesOptions {
  /** Folder holding the `*.synonyms.yaml` files; default: the repository's `mappings/code-tables/`. */
  synonymDir?: string;
}

/** The repository's synonym folder. */
export const DEFAULT_SYNONYM_DIR = fileURLToPath(new URL('../../mappings/code-tables/', import.meta.url));

interface TableSpec {
  name: string;
  system: string;
  /** NCIC code types merged in order; a code already present keeps its first description. */
  sources: NcicCodeType[];
  synonymFile?: string;
  /** Codes not accepted as bare codes in text mode. */
  excludeInTextMode?: (code: string, description: string) => boolean;
  /** The table's matching key, if not `matchKey`. */
  keyOf?: (text: string) => string;
  /** The spellings each description lists, indexed beside it. */
  descriptionSpellings?: (description: string) => readonly string[];
}

const TABLE_SPECS: readonly TableSpec[] = [
  {
    name: 'ncic-make',
    system: 'NCIC-MAK',
    sources: ['MAK'],
    synonymFile: 'ncic-make.synonyms.yaml',
    excludeInTextMode: isPlaceMakeCode,
  },
  {
    name: 'ncic-caliber',
    system: 'NCIC-CAL',
    sources: ['CAL'],
    synonymFile: 'ncic-caliber.synonyms.yaml',
    keyOf: caliberKey,
    descriptionSpellings: caliberDescriptionSpellings,
  },
  {
    name: 'ncic-gun-type',
    system: 'NCIC-TYP',
    sources: ['GTYP3', 'GTYP'],
    synonymFile: 'ncic-gun-type.synonyms.yaml',
  },
  { name: 'ncic-gun-type-1', system: 'NCIC-GTYP', sources: ['GTYP'] },
  { name: 'ncic-gun-type-2', system: 'NCIC-GTYP2', sources: ['GTYP2'] },
];

/** Build every table afresh (no memo): for tools and tests that point at another synonym folder. */
export async function buildCodeTables(options: BuildCodeTablesOptions = {}): Promise<CodeTables> {
  const dir = options.synonymDir ?? DEFAULT_SYNONYM_DIR;

  const upstream = await readNcicTables(TABLE_SPECS.flatMap((s) => s.sources));
  const ncic = new Map<NcicCodeType, Record<string, string>>();
  for (const [type, values] of upstream) ncic.set(type, applyNcicRepairs(type, values));

  const tables = new Map<string, CodeTable>();
  for (const spec of TABLE_SPECS) {
    const codes = new Map<string, string>();
    for (const type of spec.sources) {
      for (const [code, description] of Object.entries(ncic.get(type) ?? {})) {
        const c = code.trim().toUpperCase();
        if (c !== '' && !codes.has(c)) codes.set(c, description);
      }
    }
    const excluded = new Set<string>();
    if (spec.excludeInTextMode) {
      for (const [code, description] of codes) if (spec.excludeInTextMode(code, description)) excluded.add(code);
    }
    let synonyms: SynonymEntry[] = [];
    if (spec.synonymFile) {
      const display = options.synonymDir ? join(dir, spec.synonymFile) : `mappings/code-tables/${spec.synonymFile}`;
      synonyms = await readSynonymFile(join(dir, spec.synonymFile), display);
    }
    tables.set(
      spec.name,
      createCodeTable({
        name: spec.name,
        system: spec.system,
        codes,
        synonyms,
        textModeExcluded: excluded,
        ...(spec.keyOf ? { keyOf: spec.keyOf } : {}),
        ...(spec.descriptionSpellings ? { descriptionSpellings: spec.descriptionSpellings } : {}),
      }),
    );
  }

  return {
    get: (name) => tables.get(name),
    names: () => [...tables.keys()],
  };
}

let loaded: Promise<CodeTables> | undefined;

/**
 * The code tables, read and indexed once per process (NCIC JSON once, each synonym file once).
 * A failed load (a broken synonym file) is not cached: the next call tries again.
 */
export function loadCodeTables(): Promise<CodeTables> {
  if (!loaded) {
    loaded = buildCodeTables();
    loaded.catch(() => {
      loaded = undefined;
    });
  }
  return loaded;
}
