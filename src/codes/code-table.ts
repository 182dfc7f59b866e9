/**
 * A code table: turns the value of a coded field into `{ code, system, text }` (and, for calibers the
 * synonym table knows, `cartridge`).
 *
 * Input: one raw value from a source row and a mode.
 *   - mode `code`: the field carries an NCIC code (NIEM nc:FirearmMakeCode...). Only an exact code
 *     matches (after trim and upper case); anything else is unknown.
 *   - mode `text` (default): free text from a LIMS/RMS. In this order, first hit wins:
 *       1. a synonym from the administrators' table (via 'synonym');
 *       2. an exact NCIC code (via 'code'), except codes the table excludes from text mode (NCIC MAK
 *          place codes such as HK Hong Kong: in a make field, "HK" is Heckler & Koch, a synonym);
 *       3. an exact NCIC description, or one of the spellings a description lists when the table
 *          splits its descriptions (NCIC CAL: "9MM LUGER/PARABELLUM/9X19, ..."), via 'description'.
 *          A description or listed spelling that two codes share is ambiguous.
 *     Values are compared by the table's key (`matchKey` unless the table has its own, as the
 *     caliber table does: caliber-key.ts); never fuzzily.
 * Output: a LookupResult. `value.text` is always the original value (trimmed), never the description;
 * `value.cartridge` is the synonym entry's cartridge, when it names one (also on an ambiguous entry,
 * whose code stays null). An unknown or ambiguous value has `code: null` and is reported by the
 * caller, never guessed.
 *
 * All indexes are built once, when the table is created; a lookup is one key computation and one
 * Map get.
 */
import { HubError } from '../errors/hub-error.ts';
import { matchKey } from './match-key.ts';
import type { SynonymEntry } from './synonyms.ts';

export interface CodedValue {
  code: string | null;
  system: string;
  text: string;
  /** The normalized cartridge designation, when the synonym table names one (NCIC-CAL only). */
  cartridge?: string;
}

export type LookupMode = 'text' | 'code';

export type LookupResult =
  | { ok: true; value: CodedValue; via: 'code' | 'synonym' | 'description' }
  | { ok: false; value: CodedValue; reason: 'unknown' | 'ambiguous' | 'empty'; candidates?: readonly string[] };

export interface CodeTable {
  /** Table name used by mappings, e.g. `ncic-make`. */
  readonly name: string;
  /** The `system` written into every CodedValue, e.g. `NCIC-MAK`. */
  readonly system: string;
  /** Number of codes in the table. */
  readonly size: number;
  /** The administrators' synonym entries the table was built with. */
  readonly synonyms: readonly SynonymEntry[];
  /** The matching key the table compares texts by (two texts with one key are one spelling). */
  keyOf(text: string): string;
  lookup(raw: string, mode?: LookupMode): LookupResult;
  /** The NCIC description of a code, or undefined if the table has no such code. */
  describe(code: string): string | undefined;
  has(code: string): boolean;
}

export interface CodeTableDefinition {
  name: string;
  system: string;
  /** Every code of the table and its description. */
  codes: ReadonlyMap<string, string>;
  synonyms?: readonly SynonymEntry[];
  /** Codes that are valid in mode `code` but not accepted as a bare code in mode `text`. */
  textModeExcluded?: ReadonlySet<string>;
  /** The matching key of a text (synonyms, codes, descriptions and looked-up values alike); default `matchKey`. */
  keyOf?: (text: string) => string;
  /** The spellings a description lists, indexed beside the whole description (NCIC CAL). */
  descriptionSpellings?: (description: string) => readonly string[];
}

type Via = 'code' | 'synonym' | 'description';

/** A precomputed answer: shared by every lookup that lands on it, never handed out itself. */
type Resolution =
  | { readonly code: string; readonly via: Via; readonly cartridge: string | undefined }
  | { readonly code: null; readonly candidates: readonly string[]; readonly cartridge: string | undefined };

function describeEntry(e: SynonymEntry): string {
  return `${e.source.file} entry ${e.source.entry} (${e.code ?? `candidates ${e.candidates?.join(', ')}`})`;
}

function sameResolution(a: Resolution, b: Resolution): boolean {
  if (a.cartridge !== b.cartridge) return false;
  if (a.code === null || b.code === null) {
    return a.code === null && b.code === null && a.candidates.join() === b.candidates.join();
  }
  return a.code === b.code;
}

/**
 * Build a table and its indexes. Throws HUB_ERR_MAPPING_INVALID (a config error) when a synonym names
 * a code the table does not have, or when one spelling is given two different meanings.
 */
export function createCodeTable(def: CodeTableDefinition): CodeTable {
  const { name, system, codes } = def;
  const synonyms = def.synonyms ?? [];
  const excluded = def.textModeExcluded ?? new Set<string>();
  const keyOf = def.keyOf ?? matchKey;

  const byCode = new Map<string, Resolution>();
  for (const code of codes.keys()) byCode.set(code, { code, via: 'code', cartridge: undefined });

  // Text index, lowest priority first; later steps overwrite earlier ones.
  const byText = new Map<string, Resolution>();

  // 3. Descriptions and the spellings they list. A key two codes share is ambiguous.
  const descCodes = new Map<string, string[]>();
  for (const [code, description] of codes) {
    const spellings = [description, ...(def.descriptionSpellings?.(description) ?? [])];
    for (const spelling of spellings) {
      const key = keyOf(spelling.trim());
      if (key === '') continue;
      const list = descCodes.get(key);
      if (!list) descCodes.set(key, [code]);
      else if (!list.includes(code)) list.push(code);
    }
  }
  for (const [key, list] of descCodes) {
    byText.set(
      key,
      list.length === 1
        ? { code: list[0]!, via: 'description', cartridge: undefined }
        : { code: null, candidates: list, cartridge: undefined },
    );
  }

  // 2. Codes themselves, unless excluded from text mode.
  for (const code of codes.keys()) {
    if (excluded.has(code)) continue;
    const key = keyOf(code);
    if (key !== '') byText.set(key, { code, via: 'code', cartridge: undefined });
  }

  // 1. Synonyms. A spelling may be listed twice only with the same meaning.
  const owner = new Map<string, { entry: SynonymEntry; resolution: Resolution }>();
  for (const entry of synonyms) {
    for (const c of entry.code !== undefined ? [entry.code] : (entry.candidates ?? [])) {
      if (!codes.has(c)) {
        throw new HubError('HUB_ERR_MAPPING_INVALID', {
          reason: `${describeEntry(entry)}: "${c}" is not a code of ${system} (table ${name})`,
        });
      }
    }
    const resolution: Resolution =
      entry.code !== undefined
        ? { code: entry.code, via: 'synonym', cartridge: entry.cartridge }
        : { code: null, candidates: entry.candidates ?? [], cartridge: entry.cartridge };
    for (const spelling of entry.spellings) {
      const key = keyOf(spelling.trim());
      if (key === '') {
        throw new HubError('HUB_ERR_MAPPING_INVALID', {
          reason: `${describeEntry(entry)}: spelling "${spelling}" has no letters or digits`,
        });
      }
      const prior = owner.get(key);
      if (prior && !sameResolution(prior.resolution, resolution)) {
        throw new HubError('HUB_ERR_MAPPING_INVALID', {
          reason:
            `${describeEntry(entry)}: spelling "${spelling}" already means something else in ` +
            `${describeEntry(prior.entry)} (spellings match ignoring case, spaces and punctuation; calibers also with` +
            ' abbreviations written out and shotshells by their gauge)',
        });
      }
      if (!prior) owner.set(key, { entry, resolution });
      byText.set(key, resolution);
    }
  }

  const lookup = (raw: string, mode: LookupMode = 'text'): LookupResult => {
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') return { ok: false, value: { code: null, system, text }, reason: 'empty' };
    let r: Resolution | undefined;
    if (mode === 'code') {
      r = byCode.get(text.toUpperCase());
    } else {
      const key = keyOf(text);
      // A code made only of punctuation has no key: it can match only as written.
      r = key === '' ? byCode.get(text.toUpperCase()) : byText.get(key);
    }
    if (r === undefined) return { ok: false, value: { code: null, system, text }, reason: 'unknown' };
    const value: CodedValue = { code: r.code, system, text };
    if (r.cartridge !== undefined) value.cartridge = r.cartridge;
    if (r.code === null) return { ok: false, value, reason: 'ambiguous', candidates: r.candidates };
    return { ok: true, value, via: r.via };
  };

  const exact = (code: string): string => (typeof code === 'string' ? code.trim().toUpperCase() : '');

  return {
    name,
    system,
    size: codes.size,
    synonyms,
    keyOf,
    lookup,
    describe: (code) => codes.get(exact(code)),
    has: (code) => codes.has(exact(code)),
  };
}
