/**
 * Problems found in a configuration or mapping file, located for the person who must fix them:
 * `file:line:col`, the JSON pointer, what is wrong, and a hint. Shared by `cgic validate` for mappings
 * and for the hub configuration.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { LineCounter, parseDocument, isAlias, isMap, isSeq, isScalar, visit, type Alias, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ErrorCode } from '../errors/registry.ts';
import { excerpt, VALUE_EXCERPT_CHARS } from '../errors/excerpt.ts';
import { MAX_YAML_DEPTH, MAX_YAML_ENTRIES, yamlTooLarge, type TooDeep, type TooMany } from './yaml-depth.ts';

export interface ConfigProblem {
  code: ErrorCode;
  file: string;
  line: number;
  col: number;
  /** JSON pointer of the offending value. */
  pointer: string;
  message: string;
  hint?: string;
  /**
   * Set on the problem that ends a file's list when the list was cut: how many problems of the file
   * it stands for, not listed (see `capProblems`).
   */
  omitted?: number;
}

export function formatProblem(p: ConfigProblem): string {
  const hint = p.hint ? `\n    hint: ${p.hint}` : '';
  return `${p.file}:${p.line}:${p.col}: ${p.code} ${p.pointer ? p.pointer + ' ' : ''}${p.message}${hint}`;
}

/** Problems listed for one file; past them, one more problem counts the rest. */
export const MAX_PROBLEMS_PER_FILE = 100;

/**
 * The problems with each file's list cut at `max`: a file's first `max` problems (in the order given),
 * then one problem, at the first one not listed, that counts the rest (`omitted`). A file with 150,000
 * unknown keys gives 101 lines, not 150,000. Cutting a list already cut gives the same list.
 */
export function capProblems(problems: readonly ConfigProblem[], max = MAX_PROBLEMS_PER_FILE): ConfigProblem[] {
  const listed = new Map<string, number>(); // problems of each file, other than a count of the rest
  const last = new Map<string, number>(); // index of each file's last problem
  problems.forEach((p, i) => {
    if (p.omitted === undefined) listed.set(p.file, (listed.get(p.file) ?? 0) + 1);
    last.set(p.file, i);
  });
  if (![...listed.values()].some((n) => n > max)) return [...problems];
  const kept = new Map<string, number>();
  const omitted = new Map<string, number>();
  const firstOmitted = new Map<string, ConfigProblem>();
  const out: ConfigProblem[] = [];
  problems.forEach((p, i) => {
    if ((listed.get(p.file) ?? 0) <= max) {
      out.push(p);
      return;
    }
    if (p.omitted !== undefined) omitted.set(p.file, (omitted.get(p.file) ?? 0) + p.omitted);
    else if ((kept.get(p.file) ?? 0) < max) {
      out.push(p);
      kept.set(p.file, (kept.get(p.file) ?? 0) + 1);
    } else {
      omitted.set(p.file, (omitted.get(p.file) ?? 0) + 1);
      if (!firstOmitted.has(p.file)) firstOmitted.set(p.file, p);
    }
    if (i === last.get(p.file)) {
      const n = omitted.get(p.file)!;
      const at = firstOmitted.get(p.file) ?? p;
      out.push({ code: at.code, file: p.file, line: at.line, col: at.col, pointer: '', message: `${n} more problem${n === 1 ? '' : 's'} in this file, not listed`, hint: `the first ${max} are listed: correct them and check the file again`, omitted: n });
    }
  });
  return out;
}

/** How many problems a list stands for: those listed, and those a cut list counts without listing them. */
export function problemCount(problems: readonly ConfigProblem[]): number {
  let n = 0;
  for (const p of problems) n += p.omitted ?? 1;
  return n;
}

/** The problems of one or more files; each file's list is cut at `MAX_PROBLEMS_PER_FILE` (`capProblems`). */
export class ConfigProblems extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const capped = capProblems(problems);
    super(capped.map(formatProblem).join('\n'));
    this.name = 'ConfigProblems';
    this.problems = capped;
  }
}

/**
 * How many times a file's aliases may repeat anchored values: the yaml library's own default, far
 * above what a configuration or a mapping uses (an anchor used a few times).
 */
export const MAX_YAML_ALIASES = 100;

/** YAML errors listed for one file; past them, one more problem counts the rest. */
export const MAX_YAML_ERRORS = 20;

const ALIAS_HINT = 'a value that starts with "*" is read as a YAML alias (and "&" as an anchor); put such a value in quotes, e.g. schedule: "* * * * *"';

/**
 * A parsed YAML file that can say where any value of it is. Every YAML file the hub reads that a person
 * writes or supplies (the configuration, mappings, golden cases, synonym tables) is read through it:
 * nesting and aliases are checked before anything converts the file to values (`readYaml`).
 */
export class YamlSource {
  readonly doc: Document;
  private readonly lines = new LineCounter();

  /** Set when the text nests too deeply, or has too many entries in one place, to be composed safely (yaml-depth.ts): `doc` is then empty. */
  private readonly tooLarge: TooDeep | TooMany | null;

  /**
   * Set when the text holds a NUL character, which YAML text never holds (a UTF-16 file read as UTF-8,
   * a binary file): `doc` is then empty, and the one problem says what the file is.
   */
  private readonly notText: ConfigProblem | null;

  readonly text: string;

  /**
   * `content`: the file's bytes as read (a file on disk), which must be UTF-8; or text already decoded
   * (a mapping sent to the playground). `schema: 'failsafe'` reads every scalar as text (a synonym
   * table's `.380` and `010`).
   */
  constructor(
    readonly file: string,
    content: string | Uint8Array,
    options: { schema?: 'core' | 'failsafe' } = {},
  ) {
    const text = typeof content === 'string' ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
    this.text = text;
    this.notText = notTextProblem(file, text) ?? (typeof content === 'string' ? null : notUtf8Problem(file, content, text));
    this.tooLarge = this.notText ? null : yamlTooLarge(text);
    this.doc = parseDocument(this.tooLarge || this.notText ? '' : text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true, ...(options.schema ? { schema: options.schema } : {}) });
  }

  yamlProblems(): ConfigProblem[] {
    const out: ConfigProblem[] = [];
    if (this.notText) return [this.notText];
    if (this.tooLarge) {
      const { line, col } = this.tooLarge;
      const [message, hint] =
        'entries' in this.tooLarge
          ? [`has a mapping or list of more than ${MAX_YAML_ENTRIES} entries`, 'a configuration or a mapping has a few hundred entries in one place at most']
          : [`nests more than ${MAX_YAML_DEPTH} levels deep`, 'a configuration or a mapping nests a dozen levels at most'];
      out.push({ code: 'HUB_ERR_MAPPING_YAML' as ErrorCode, file: this.file, line, col, pointer: '', message: `${message}; the file is not read further`, hint: `${hint}: check the file is the one meant` });
    }
    const aliasLines = new Set<number>();
    let shown = 0;
    for (const [n, e] of this.doc.errors.entries()) {
      const pos = this.lines.linePos(e.pos[0]);
      // One broken line can make the parser report an error per token after it (`- &a - &a ...`
      // 100,000 times gives 199,999): the first ones are those to fix.
      if (shown === MAX_YAML_ERRORS) {
        const more = this.doc.errors.length - n;
        out.push({ code: 'HUB_ERR_MAPPING_YAML' as ErrorCode, file: this.file, line: pos.line, col: pos.col, pointer: '', message: `${more} more YAML error${more === 1 ? '' : 's'} from here on, not listed`, hint: 'correct the errors above first: the rest often follow from them', omitted: more });
        break;
      }
      const problem: ConfigProblem = {
        code: 'HUB_ERR_MAPPING_YAML' as ErrorCode,
        file: this.file,
        line: pos.line,
        col: pos.col,
        pointer: '',
        message: excerpt(e.message.split('\n')[0]!, VALUE_EXCERPT_CHARS),
      };
      if (e.code === 'TAB_AS_INDENT') problem.hint = 'indent with spaces: YAML takes no tab for indentation (an editor can convert the indentation to spaces); the errors after it often follow from it';
      if (e.code === 'DUPLICATE_KEY') {
        const dup = this.duplicateKey(e.pos[0]);
        if (dup) {
          problem.message = `the key "${excerpt(dup.key, 60)}" appears twice at this level (first at ${dup.first.line}:${dup.first.col})`;
          problem.hint = 'keep one of the two, with what each says merged into it: the file is refused while a key repeats, so that neither value is taken without a word';
        }
      }
      // A value starting with `*` (a cron schedule `* * * * *`, `*/5 * * * *`) is read as a YAML alias and
      // gives one error per star: say it once per line, with the line as it should be written.
      if (e.code === 'BAD_ALIAS' || /\balias\b/i.test(problem.message)) {
        if (aliasLines.has(pos.line)) continue;
        aliasLines.add(pos.line);
        const text = this.text.split(/\r?\n/)[pos.line - 1] ?? '';
        const m = /^(\s*(?:-\s+)?[^\s:#][^:#]*:\s+)(\*[^#]*?)\s*(#.*)?$/.exec(text);
        if (m) problem.col = m[1]!.length + 1;
        problem.hint = m
          ? `a value that starts with "*" is read as a YAML alias; quote it: ${m[1]!.trim()} "${m[2]!.replace(/"/g, '\\"')}"`
          : ALIAS_HINT;
      }
      out.push(problem);
      shown++;
    }
    if (!out.length) {
      const alias = this.aliasProblem();
      if (alias) out.push(alias);
    }
    return out;
  }

  /** The key of the pair whose key starts at `offset`, and where the first pair of its mapping with that key starts. */
  private duplicateKey(offset: number): { key: string; first: { line: number; col: number } } | null {
    let found: { key: string; first: { line: number; col: number } } | null = null;
    const keyOf = (p: Pair): string => (isScalar(p.key) ? String(p.key.value) : String(p.key));
    visit(this.doc, {
      Map: (_key, map) => {
        const dup = map.items.find((p) => (p.key as Node | null)?.range?.[0] === offset);
        if (!dup) return undefined;
        const key = keyOf(dup);
        const first = map.items.find((p) => keyOf(p) === key);
        const at = (first?.key as Node | null)?.range?.[0];
        if (at !== undefined) found = { key, first: this.lines.linePos(at) };
        return visit.BREAK;
      },
    });
    return found;
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  }

  /**
   * An alias the conversion to values would fail on, which the parser does not report: one that
   * repeats anchored values past `maxAliasCount` (nine levels of nine aliases are 387 million values:
   * a "billion laughs" file), one naming no anchor, one inside the node it names (a loop, which
   * every reader of the values would follow without end). The library says the first two by throwing
   * a bare ReferenceError, without a place; this finds the alias, running the library's own count
   * (`Alias.resolve`) on each alias in document order, the order the conversion meets them in.
   */
  private aliasProblem(): ConfigProblem | null {
    type Context = NonNullable<Parameters<Alias['resolve']>[1]>;
    const ctx: Context = { anchors: new Map(), doc: this.doc, keep: false, mapAsMap: false, mapKeyWarned: false, maxAliasCount: MAX_YAML_ALIASES };
    let found: { alias: Alias; message: string; hint: string } | null = null;
    visit(this.doc, {
      Node: (_key, node, path) => {
        if (!isAlias(node)) {
          if (node.anchor) ctx.anchors.set(node, { aliasCount: 0, count: 1, res: node });
          return undefined;
        }
        const name = `*${excerpt(node.source, 60)}`;
        let target: Node | undefined;
        try {
          target = node.resolve(this.doc, ctx);
        } catch {
          found = { alias: node, message: `the alias ${name} repeats anchored values more than ${MAX_YAML_ALIASES} times; the file is not read further`, hint: 'a configuration or a mapping repeats an anchor (&name) a few times at most: check the file is the one meant' };
          return visit.BREAK;
        }
        if (!target) found = { alias: node, message: `the alias ${name} names no anchor before it`, hint: ALIAS_HINT };
        else if (path.includes(target)) found = { alias: node, message: `the alias ${name} is inside the node it names: its value would repeat without end`, hint: 'an alias can name only a node that ends before it' };
        return found ? visit.BREAK : undefined;
      },
    });
    if (found) {
      const { alias, message, hint } = found as { alias: Alias; message: string; hint: string };
      const pos = this.lines.linePos(alias.range?.[0] ?? 0);
      return { code: 'HUB_ERR_MAPPING_YAML' as ErrorCode, file: this.file, line: pos.line, col: pos.col, pointer: '', message, hint };
    }
    return null;
  }

  /** Each mapping's pairs by key, made the first time a key of it is looked up. */
  private readonly pairsByKey = new WeakMap<YAMLMap, Map<string, Pair>>();

  /**
   * The pair of `map` whose key is `key` (the first, if the key is repeated). Looked up in an index of
   * the mapping, not by going through its pairs: locating every key of a mapping with 150,000 unknown
   * keys went through 150,000 pairs for each (minutes).
   */
  private pairOf(map: YAMLMap, key: string): Pair | undefined {
    let pairs = this.pairsByKey.get(map);
    if (!pairs) {
      pairs = new Map();
      for (const p of map.items) {
        const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
        if (!pairs.has(k)) pairs.set(k, p);
      }
      this.pairsByKey.set(map, pairs);
    }
    return pairs.get(key);
  }

  /** Position of the value at `path` (or of its key, with `key: true`); the nearest existing ancestor otherwise. */
  locate(path: readonly (string | number)[], key = false): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let at: { line: number; col: number } = { line: 1, col: 1 };
    const posOf = (n: unknown): { line: number; col: number } | null => {
      const r = (n as Node | null)?.range;
      return r ? this.lines.linePos(r[0]) : null;
    };
    at = posOf(node) ?? at;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const pair = this.pairOf(node, String(seg));
        if (!pair) return at;
        const last = i === path.length - 1;
        if (last && key) return posOf(pair.key) ?? at;
        node = pair.value;
        at = posOf(pair.value) ?? posOf(pair.key) ?? at;
      } else if (isSeq(node)) {
        node = node.items[Number(seg)];
        at = posOf(node) ?? at;
      } else return at;
    }
    return at;
  }
}

/**
 * The largest configuration or mapping file read, in bytes: the largest the project ships is 36 KB, and
 * one with MAX_YAML_ENTRIES keys in a mapping has a few hundred KB. The yaml library reads a long
 * quoted value at about 2 MB a second, with over 30 times the file in memory, and a reload reads the
 * file inside the running hub: a 50 MB file (a data file named as a mapping) took 22 s and 1.7 GB.
 */
export const MAX_YAML_BYTES = 4 * 2 ** 20;

/**
 * The problem with a configuration or mapping file larger than MAX_YAML_BYTES, found before it is read
 * (at 1:1), or null.
 */
export function yamlFileTooLarge(file: string, size: number, code: ErrorCode = 'HUB_ERR_MAPPING_YAML'): ConfigProblem | null {
  if (size <= MAX_YAML_BYTES) return null;
  // Rounded up, so that a file just past the limit does not read as the limit.
  const mib = (Math.ceil((size / 2 ** 20) * 10) / 10).toFixed(1);
  return { code, file, line: 1, col: 1, pointer: '', message: `is ${mib} MiB, more than the ${MAX_YAML_BYTES / 2 ** 20} MiB a configuration or a mapping may have; the file is not read`, hint: 'a configuration or a mapping is some tens of KB: check the file is the one meant (not a data file)' };
}

/**
 * Why a text holding a NUL character is not read as YAML, or null when it holds none. Read as UTF-8, a
 * UTF-16 file (what Notepad and PowerShell's `>` write) starts with its byte-order mark as two U+FFFD
 * and has a NUL in every ASCII character; the yaml library took such a file for one long string, and
 * the only problem listed was "must be object", quoting the garbled text.
 */
function notTextProblem(file: string, text: string): ConfigProblem | null {
  const nul = text.indexOf('\0');
  if (nul < 0) return null;
  const code = 'HUB_ERR_MAPPING_YAML' as ErrorCode;
  if (text.startsWith('\uFFFD\uFFFD') || (text[1] === '\0' && text[3] === '\0') || (text[0] === '\0' && text[2] === '\0')) {
    return { code, file, line: 1, col: 1, pointer: '', message: 'is UTF-16 text, not UTF-8; the file is not read further', hint: `save it as UTF-8 (in an editor, "Save with encoding"; or: iconv -f UTF-16 -t UTF-8 ${file} > utf8.yaml)` };
  }
  return { code, file, ...lineColAt(text, nul), pointer: '', message: 'holds a NUL byte: it is not a text file; the file is not read further', hint: 'a configuration or a mapping is UTF-8 text: check the file is the one meant' };
}

/** Line and column (from 1) of the character at `index` of `text`, lines ending in LF, CRLF or CR. */
function lineColAt(text: string, index: number): { line: number; col: number } {
  const before = text.slice(0, index);
  return { line: (before.match(/\r\n|\r|\n/g)?.length ?? 0) + 1, col: index - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) };
}


/**
 * Why a file's bytes are not read as UTF-8 text, or null when they are UTF-8 (`text` is them decoded,
 * each ill-formed sequence as one U+FFFD). Read as they were, the bytes of another encoding became
 * U+FFFD without a word: a Windows-1252 `Ü` in a map table's key, and the key never matched. The
 * platform's decoder says whether the bytes are UTF-8; the first bad sequence is where the decoded
 * text holds its first U+FFFD that the file did not hold as the character's own three bytes.
 */
function notUtf8Problem(file: string, bytes: Uint8Array, text: string): ConfigProblem | null {
  if (isUtf8(bytes)) return null;
  let at = -1;
  let offset = 0; // of the character at `from`: everything before it decoded as it was
  for (let from = 0, i = text.indexOf('\uFFFD'); i >= 0; from = i + 1, i = text.indexOf('\uFFFD', from)) {
    offset += Buffer.byteLength(text.slice(from, i));
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) {
      at = i;
      break;
    }
    offset += 3;
  }
  if (at < 0) return null; // not reached: a file that is not UTF-8 decodes with a U+FFFD of its own
  const byte = bytes[offset]!;
  // What the byte is in Windows-1252 (iconv-lite: Node 20's TextDecoder decodes it to nothing), to help
  // find it; none for the five bytes that encoding leaves undefined.
  const asWindows1252 = iconv.decode(Buffer.of(byte), 'windows-1252');
  const reading = /^[^\p{C}\uFFFD]$/u.test(asWindows1252) ? ` (in Windows-1252, "${asWindows1252}")` : '';
  return {
    code: 'HUB_ERR_MAPPING_YAML' as ErrorCode,
    file,
    ...lineColAt(text, at),
    pointer: '',
    message: `is not UTF-8 text: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} here is not valid UTF-8${reading}; the file is not read further`,
    hint: `save it as UTF-8 (in an editor, "Save with encoding"; or: iconv -f windows-1252 -t utf-8 ${file} > utf8.yaml)`,
  };
}

/**
 * The values of a YAML file, or why it cannot be read: its YAML problems (`YamlSource.yamlProblems`),
 * each at its line and column, and `values` undefined. A file nesting 100,000 levels or an alias bomb
 * is one such problem, never a stack overflow or the yaml library's bare ReferenceError. The way to
 * read a YAML file a person can edit or supply when its values are all that is wanted.
 */
export function readYaml(file: string, text: string | Uint8Array, options: { schema?: 'core' | 'failsafe' } = {}): { values: unknown; problems: ConfigProblem[] } {
  const src = new YamlSource(file, text, options);
  const problems = src.yamlProblems();
  return { values: problems.length ? undefined : src.toJS(), problems };
}

export function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pathToPointer(path: readonly (string | number)[]): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true, verbose: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addKeyword({ keyword: 'x-secret' });
  return ajv;
}

/** Edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = levenshtein(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (bestD <= Math.max(2, Math.floor(word.length / 3))) return best;
  // "uppercase" for "upper", "trimAll" for "trim": a candidate the word starts with.
  return candidates.filter((c) => w.startsWith(c.toLowerCase())).sort((a, b) => b.length - a.length)[0];
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * Turn ajv's errors into located problems, keeping the ones a person can act on: the most specific
 * error per location, without the "must match then schema" echoes of if/then.
 */
export function schemaProblems(
  src: YamlSource,
  errors: readonly ErrorObject[],
  opts: { opNames?: readonly string[]; schemaCode?: ErrorCode } = {},
): ConfigProblem[] {
  const useful = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  // The file's values, converted once: for each error, converting the whole file again made 150,000
  // errors cost 150,000 conversions.
  let values: { root: unknown } | undefined;
  const valueOf = (path: readonly string[]): unknown => valueAt((values ??= { root: src.toJS() }).root, path);
  // A type error on a value that also has deeper errors is noise.
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of useful) {
    const path = pointerToPath(e.instancePath);
    let code: ErrorCode = opts.schemaCode ?? 'HUB_ERR_MAPPING_SCHEMA';
    let message = e.message ?? 'is invalid';
    let hint: string | undefined;
    let keyPath = path;
    let atKey = false;
    const inOps = path.length >= 2 && path[path.length - 2] === 'ops';
    if (e.keyword === 'additionalProperties') {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      message = `has an unknown key "${prop}"`;
      const allowed = Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object);
      const guess = closest(prop, allowed);
      hint = guess ? `did you mean "${guess}"? Allowed keys: ${allowed.join(', ')}` : `allowed keys: ${allowed.join(', ')}`;
      // `<<: *base` merges keys in YAML 1.1 only; these files are read as YAML 1.2, where it is a key.
      if (prop === '<<') hint = `a merge key (<<: *anchor) is not read (YAML 1.2 has none): write the keys out, or give an alias a whole value (ops: *trimmed). Allowed keys: ${allowed.join(', ')}`;
      keyPath = [...path, prop];
      atKey = true;
    } else if (e.keyword === 'propertyNames' || (e.keyword === 'enum' && e.propertyName !== undefined)) {
      continue; // reported by the propertyNames/enum pair below
    } else if (e.keyword === 'enum' && inOps && opts.opNames) {
      const op = String(valueOf(path));
      code = 'HUB_ERR_MAPPING_UNKNOWN_OP';
      message = `unknown operation "${op}"`;
      const guess = closest(op, opts.opNames);
      hint = `${guess ? `did you mean "${guess}"? ` : ''}operations: ${opts.opNames.join(', ')} (docs/mapping-language.md)`;
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
      const got = valueOf(path);
      const guess = typeof got === 'string' ? closest(got, allowed.map(String)) : undefined;
      if (guess) hint = `did you mean "${guess}"?`;
    } else if (e.keyword === 'required') {
      message = `is missing the required key "${(e.params as { missingProperty: string }).missingProperty}"`;
    } else if (e.keyword === 'type') {
      const got = valueOf(path);
      const want = (e.params as { type: string | string[] }).type.toString().replace(',', ' or ');
      // A secret written inline, as a number say, is not repeated: the message reaches terminals, the
      // hub's log and the audit trail (a refused reload).
      const secret = (e.parentSchema as { 'x-secret'?: boolean } | undefined)?.['x-secret'] === true;
      message = `must be ${want}, not ${secret ? describeKind(got) : describe(got)}`;
      const examples: Record<string, string> = { integer: 'a whole number without quotes, e.g. 1', number: 'a number without quotes', boolean: 'true or false, without quotes', string: 'text (quote it if it starts with a special character)', array: 'a list, e.g. [a, b]', object: 'a mapping of keys to values' };
      const d = (e.parentSchema as { description?: string })?.description;
      hint = secret ? 'write a reference, ${env:NAME} or ${file:/path/to/secret}, never the secret itself' : `write ${examples[want] ?? want}${d ? `. ${d}` : ''}`;
    } else {
      const d = (e.parentSchema as { description?: string })?.description;
      if (d) hint = d;
      // `ori: ct0006400`: the value in capitals would do.
      const got = e.keyword === 'pattern' && (e.parentSchema as { 'x-secret'?: boolean } | undefined)?.['x-secret'] !== true ? valueOf(path) : undefined;
      if (typeof got === 'string' && got !== got.toUpperCase() && new RegExp((e.params as { pattern: string }).pattern, 'u').test(got.toUpperCase())) {
        hint = `did you mean "${got.toUpperCase()}"? (in capitals)${d ? ` ${d}` : ''}`;
      }
    }
    const k = `${e.instancePath}|${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const pos = src.locate(keyPath, atKey);
    out.push({ code, file: src.file, line: pos.line, col: pos.col, pointer: e.instancePath || '/', message, ...(hint ? { hint } : {}) });
  }
  // propertyNames on ops: an unknown operation name written as a key.
  for (const e of errors) {
    if (e.keyword !== 'enum' || e.propertyName === undefined) continue;
    const path = pointerToPath(e.instancePath);
    const op = e.propertyName;
    const isOp = path.length >= 2 && path[path.length - 2] === 'ops' && opts.opNames;
    const candidates = isOp ? opts.opNames! : (e.params as { allowedValues: string[] }).allowedValues;
    const guess = closest(op, candidates);
    const pos = src.locate([...path, op], true);
    out.push({
      code: isOp ? 'HUB_ERR_MAPPING_UNKNOWN_OP' : opts.schemaCode ?? 'HUB_ERR_MAPPING_SCHEMA',
      file: src.file,
      line: pos.line,
      col: pos.col,
      pointer: e.instancePath,
      message: isOp ? `unknown operation "${op}"` : `unknown name "${op}"`,
      hint: `${guess ? `did you mean "${guess}"? ` : ''}${isOp ? 'operations' : 'allowed'}: ${candidates.join(', ')}`,
    });
  }
  // Drop errors whose location lies under another reported error of the same line of descent only when identical.
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let n = root;
  for (const p of path) n = n !== null && typeof n === 'object' ? (n as Record<string, unknown>)[p] : undefined;
  return n;
}

/** What kind of value `v` is, without the value. */
function describeKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  // Bounded: the value is the file's own text, which may be anything (a pasted file, a secret).
  return `${typeof v} ${excerpt(JSON.stringify(v) ?? String(v))}`;
}

export type { ValidateFunction };
