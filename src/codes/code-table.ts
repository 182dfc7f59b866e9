/**
 * A code table: turns the value of a coded field into `{ code, system, text }`.
 *
 * Input: one raw value from a source row and a mode.
 *   - mode `code`: the field carries an NCIC code (NIEM nc:FirearmMakeCode...). Only an exact code
 *     matches (after trim and upper case); anything else is unknown.
 *   - mode `text` (default): free text from a LIMS/RMS. In this order, first hit wins:
 *       1. a synonym from the administrators' table (via 'synonym');
 *       2. an exact NCIC code (via 'code'), except codes the table excludes from text mode (NCIC MAK
 *          place codes such as HK Hong Kong: in a make field, "HK" is Heckler & Koch, a synonym);
 *       3. an exact NCIC description (via 'description').
 *     Values are compared by `matchKey` (case, spacing and punctuation ignored); never fuzzily.
 * Output: a LookupResult. `value.text` is always the original value (trimmed), never the description;
 * an unknown or ambiguous value has `code: null` and is reported by the caller, never guessed.
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
}

export type LookupMode = 'text' | 'code';

export type LookupResult =
  | { ok: true; value: CodedValue; via: 'code' | 'synonym' | 'description'; cartridge?: string }
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
}

type Via = 'code' | 'synonym' | 'description';

/** A precomputed answer: shared by every lookup that lands on it, never handed out itself. */
type Resolution =
  | { readonly code: string; readonly via: Via; readonly cartridge: string | undefined }
  | { readonly code: null; readonly candidates: readonly string[] };

function describeEntry(e: SynonymEntry): string {
  return `${e.source.file} entry ${e.source.entry} (${e.code ?? `candidates ${e.candidates?.join(', ')}`})`;
}

function sameResolution(a: Resolution, b: Resolution): boolean {
  if (a.code === null || b.code === null) {
    return a.code === null && b.code === null && a.candidates.join() === b.candidates.join();
  }
  return a.code === b.code && a.cartridge === b.cartridge;
}

/**
 * Build a table and its indexes. Throws HUB_ERR_MAPPING_INVALID (a config error) when a synonym names
 * a code the table does not have, or when one spelling is given two different meanings.
 */
export function createCodeTable(def: CodeTableDefinition): CodeTable {
  const { name, system, codes } = def;
  const synonyms = def.synonyms ?? [];
  const excluded = def.textModeExcluded ?? new Set<string>();

  const byCode = new Map<string, Resolution>();
  for (const code of codes.keys()) byCode.set(code, { code, via: 'code', cartridge: undefined });

  // Text index, lowest priority first; later steps overwrite earlier ones.
  const byText = new Map<string, Resolution>();

  // 3. Descriptions. Two codes with the same description key make that description ambiguous.
  const descCodes = new Map<string, string[]>();
  for (const [code, description] of codes) {
    const key = matchKey(description.trim());
    if (key === '') continue;
    const list = descCodes.get(key);
    if (list) list.push(code);
    else descCodes.set(key, [code]);
  }
  for (const [key, list] of descCodes) {
    byText.set(
      key,
      list.length === 1 ? { code: list[0]!, via: 'description', cartridge: undefined } : { code: null, candidates: list },
    );
  }

  // 2. Codes themselves, unless excluded from text mode.
  for (const code of codes.keys()) {
    if (excluded.has(code)) continue;
    const key = matchKey(code);
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
        : { code: null, candidates: entry.candidates ?? [] };
    for (const spelling of entry.spellings) {
      const key = matchKey(spelling.trim());
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
            `${describeEntry(prior.entry)} (spellings match ignoring case, spaces and punctuation)`,
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
      const key = matchKey(text);
      // A code made only of punctuation (GTYP3 "--") has no key: it can match only as written.
      r = key === '' ? byCode.get(text.toUpperCase()) : byText.get(key);
    }
    if (r === undefined) return { ok: false, value: { code: null, system, text }, reason: 'unknown' };
    if (r.code === null) {
      return { ok: false, value: { code: null, system, text }, reason: 'ambiguous', candidates: r.candidates };
    }
    if (r.cartridge !== undefined) {
      return { ok: true, value: { code: r.code, system, text }, via: r.via, cartridge: r.cartridge };
    }
    return { ok: true, value: { code: r.code, system, text }, via: r.via };
  };

  const exact = (code: string): string => (typeof code === 'string' ? code.trim().toUpperCase() : '');

  return {
    name,
    system,
    size: codes.size,
    synonyms,
    lookup,
    describe: (code) => codes.get(exact(code)),
    has: (code) => codes.has(exact(code)),
  };
}
