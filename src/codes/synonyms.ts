/**
 * Reading a synonym table (`mappings/code-tables/*.synonyms.yaml`).
 *
 * Input: the YAML text of one file: a list of entries
 *   { code: SW, spellings: ["S&W", "SMITH & WESSON"], note?: "..." }             one code
 *   { code: "9", cartridge: "9mm Luger", spellings: ["9MM", "9X19"] }              caliber tables
 *   { candidates: [SGD, SPR], spellings: ["SPRINGFIELD"], note?: "..." }          an ambiguous spelling
 * Output: the entries, checked for shape only (whether the codes exist is checked when the table is
 * built, against the NCIC list). Every scalar is read as a string (YAML failsafe schema), so a caliber
 * spelling like .380 can never turn into the number 0.38 and a code like 010 keeps its zero. The file
 * is read as every YAML file a person edits is (`readYaml`): one nesting 100,000 levels or an alias
 * bomb is HUB_ERR_MAPPING_YAML at its line, not a stack overflow.
 */
import { readFile } from 'node:fs/promises';
import { problemCount, readYaml } from '../config/problems.ts';
import { HubError } from '../errors/hub-error.ts';

export interface SynonymEntry {
  /** The NCIC code every spelling of this entry means; absent on an ambiguous entry. */
  readonly code?: string;
  /** For an ambiguous entry: the two or more codes the spellings could mean. */
  readonly candidates?: readonly string[];
  /** Spellings as written in exports; matched through `matchKey`, never fuzzily. */
  readonly spellings: readonly string[];
  /** Canonical cartridge name, for caliber entries: what the lossy CAL code cannot carry. */
  readonly cartridge?: string;
  /** Why: the administrator's and NCIC's reasons, for the next person who reads the table. */
  readonly note?: string;
  /** Where the entry is: the file and its 1-based position in the list, for error messages. */
  readonly source: { readonly file: string; readonly entry: number };
}

const ENTRY_KEYS = new Set(['code', 'candidates', 'spellings', 'cartridge', 'note']);

function invalid(file: string, where: string, reason: string): HubError {
  return new HubError('HUB_ERR_MAPPING_INVALID', { reason: `${file}${where}: ${reason}` });
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** Parse and shape-check one synonym file's text (or its bytes, refused unless UTF-8); `file` names it in error messages. */
export function parseSynonyms(text: string | Uint8Array, file: string): SynonymEntry[] {
  const { values: doc, problems } = readYaml(file, text, { schema: 'failsafe' });
  const first = problems[0];
  if (first) {
    const n = problemCount(problems) - 1;
    const more = n > 0 ? ` (and ${n} more YAML problem${n === 1 ? '' : 's'})` : '';
    throw new HubError('HUB_ERR_MAPPING_YAML', { reason: `${file}:${first.line}:${first.col}: ${first.message}${more}` }, { file, line: first.line });
  }
  if (doc === null || doc === undefined || doc === '') return [];
  if (!Array.isArray(doc)) throw invalid(file, '', 'a synonym table is a YAML list of entries ("- code: ...")');

  return doc.map((raw: unknown, i): SynonymEntry => {
    const at = ` entry ${i + 1}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw invalid(file, at, 'each entry is a mapping with code (or candidates) and spellings');
    }
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!ENTRY_KEYS.has(k)) throw invalid(file, at, `unknown key "${k}" (allowed: ${[...ENTRY_KEYS].join(', ')})`);
    }
    const { code, candidates, spellings, cartridge, note } = e;
    if (code !== undefined && candidates !== undefined) {
      throw invalid(file, at, 'an entry has either code (one meaning) or candidates (ambiguous), not both');
    }
    if (code === undefined && candidates === undefined) throw invalid(file, at, 'code (or candidates) is missing');
    if (code !== undefined && (typeof code !== 'string' || code.trim() === '')) {
      throw invalid(file, at, 'code must be one NCIC code');
    }
    if (candidates !== undefined && (!isStringList(candidates) || candidates.length < 2)) {
      throw invalid(file, at, 'candidates must list two or more NCIC codes');
    }
    if (!isStringList(spellings) || spellings.length === 0) {
      throw invalid(file, at, 'spellings must be a non-empty list of quoted strings');
    }
    if (cartridge !== undefined && typeof cartridge !== 'string') throw invalid(file, at, 'cartridge must be text');
    if (note !== undefined && typeof note !== 'string') throw invalid(file, at, 'note must be text');

    const entry: {
      code?: string;
      candidates?: string[];
      spellings: string[];
      cartridge?: string;
      note?: string;
      source: { file: string; entry: number };
    } = { spellings, source: { file, entry: i + 1 } };
    if (typeof code === 'string') entry.code = code.trim().toUpperCase();
    if (isStringList(candidates)) entry.candidates = candidates.map((c) => c.trim().toUpperCase());
    if (typeof cartridge === 'string' && cartridge.trim() !== '') entry.cartridge = cartridge.trim();
    if (typeof note === 'string') entry.note = note;
    return entry;
  });
}

/** Read and shape-check one synonym file. */
export async function readSynonymFile(path: string, displayName = path): Promise<SynonymEntry[]> {
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HubError('HUB_ERR_FILE_NOT_FOUND', { path: displayName }, undefined, { cause: err });
    }
    throw err;
  }
  return parseSynonyms(text, displayName);
}
