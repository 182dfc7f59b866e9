/**
 * How deeply a YAML text nests, and how many entries one mapping or list of it has (MAX_YAML_ENTRIES),
 * measured before it is composed into a document.
 *
 * Composing a document (the yaml library's `parseDocument`) recurses once per level. A file nesting
 * 100,000 levels (`[[[[...`, `- - - ...`, `{a: {a: ...`, `a: &x [[[...`, `[[[...]]]: 1`, or one more
 * space of indentation per line), 200 KB of text, exhausts the stack inside it, and V8 can then abort
 * the whole process while compiling a regular expression ("RegExpCompiler Allocation failed"): a
 * crash, not an error. The configuration and the mappings never nest more than a dozen levels, so a
 * file nesting more than `MAX_YAML_DEPTH` is refused before it is composed, with its line and column.
 *
 * Two counts, each linear in the text and stopping at the limit:
 * - a scan of the lines (`linesTooDeep`): block levels by indentation, each `- ` or `? ` that opens a
 *   collection on a line (with anchors and tags between them), and flow collections (`[`, `{`)
 *   outside quoted scalars and comments; a literal or folded block scalar (`|`, `>`) is text,
 *   skipped. It refuses at once text the parser does not nest but reports an error for at every
 *   level (`- &a - &a ...` 100,000 times: 199,999 errors, and seconds of composing them);
 * - then the levels the library itself builds (`parserTooLarge`): its lexer and parser, the stages
 *   before composing, hold the open nodes on a stack of their own, not on the call stack, so the text
 *   is fed to them token by token until that stack is deeper than the limit. Whatever the library
 *   makes of a text (anchors, tags, flow keys, the nodes its error recovery builds from text that is
 *   not YAML), a text it would nest too deeply cannot get past this.
 */
import { Lexer, LineCounter, Parser } from 'yaml';

/** Deeper than any configuration or mapping: a file nesting more is refused uncomposed. */
export const MAX_YAML_DEPTH = 100;

/**
 * More entries than any one mapping or list of a configuration or mapping file has (the largest the
 * project ships, a synonym table, has 186): one with more is refused uncomposed. Composing checks each
 * key against every key before it in its mapping, and a schema error per entry is copied per entry,
 * so 150,000 keys took minutes; 10,000 take about a second.
 */
export const MAX_YAML_ENTRIES = 10_000;

export interface TooDeep {
  depth: number;
  line: number;
  col: number;
}

/** A mapping or list with more than MAX_YAML_ENTRIES entries: where its entry past the limit starts. */
export interface TooMany {
  entries: number;
  line: number;
  col: number;
}

/** Where the text first nests deeper than `max` levels, or first has a mapping or list with more than `maxEntries` entries; or null. */
export function yamlTooLarge(text: string, max = MAX_YAML_DEPTH, maxEntries = MAX_YAML_ENTRIES): TooDeep | TooMany | null {
  return linesTooDeep(text, max) ?? parserTooLarge(text, max, maxEntries);
}

/**
 * Where the library's parser first holds more than `max` collections open, or first has more than
 * `maxEntries` entries in the collection it is filling; or null.
 */
export function parserTooLarge(text: string, max: number, maxEntries = MAX_YAML_ENTRIES): TooDeep | TooMany | null {
  const lines = new LineCounter();
  lines.addNewLine(0);
  const parser = new Parser(lines.addNewLine);
  for (const lexeme of new Lexer().lex(text)) {
    const start = parser.offset;
    // The parser gives back each document as it ends: not needed here.
    for (const _document of parser.next(lexeme));
    // Its stack is the document, the open collections, and the scalar being read if any.
    const { stack } = parser;
    const filling = stack.length > 1 && !COLLECTIONS.has(stack.at(-1)!.type) ? 1 : 0;
    const depth = stack.length - 1 - filling;
    if (depth > max) return { depth, ...lines.linePos(start) };
    // Entries are added only to the collection being filled: the innermost open one.
    const open = stack.at(-1 - filling);
    const entries = open && COLLECTIONS.has(open.type) ? (open as { items: unknown[] }).items.length : 0;
    if (entries > maxEntries) return { entries, ...lines.linePos(start) };
  }
  return null;
}

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/** Where the lines first nest deeper than `max` levels by the scan described above, or null. */
export function linesTooDeep(text: string, max: number): TooDeep | null {
  const indents: number[] = []; // indentation of the open block levels
  let flow = 0; // open flow collections
  let quote: '"' | "'" | null = null; // open quoted scalar
  let blockScalarIndent = -1; // lines indented more than this are a block scalar's text
  const lines = text.split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    let i = 0;
    if (flow === 0 && quote === null) {
      while (i < line.length && line[i] === ' ') i++;
      if (i === line.length || line[i] === '#') continue; // blank or comment
      if (blockScalarIndent >= 0 && i > blockScalarIndent) continue;
      blockScalarIndent = -1;
      while (indents.length && indents.at(-1)! >= i) indents.pop();
      indents.push(i);
      let depth = indents.length;
      if (depth > max) return { depth, line: n + 1, col: i + 1 };
      // `- - x`, `? x`, `- &a - &a x`: each indicator opens one more level on this line.
      for (;;) {
        if ((line[i] === '-' || line[i] === '?') && (line[i + 1] === ' ' || i + 1 === line.length)) {
          if (++depth > max) return { depth, line: n + 1, col: i + 1 };
          i += 2;
        } else if (line[i] === '&' || line[i] === '!') i = propertyEnd(line, i);
        else break;
        while (line[i] === ' ') i++;
      }
      // The value: after `key: ` (the key unquoted, or quoted), or the line itself.
      const value = valueStart(line, i);
      if (value === -1) continue;
      i = value;
      while (line[i] === '&' || line[i] === '!') i = skipSpaces(line, propertyEnd(line, i)); // `a: &x [`
      if (line[i] === '|' || line[i] === '>') {
        blockScalarIndent = indents.at(-1)!;
        continue;
      }
      // A flow collection, or a quoted scalar, whose brackets are text however many lines it spans.
      if (line[i] !== '[' && line[i] !== '{' && line[i] !== '"' && line[i] !== "'") continue;
    }
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = null;
        }
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || line[i - 1] === ' ')) break;
      else if (c === '[' || c === '{') {
        flow++;
        if (indents.length + flow > max) return { depth: indents.length + flow, line: n + 1, col: i + 1 };
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
  }
  return null;
}

/** Index where the value of the block line starting at `i` begins, or -1 when it has none on the line. */
function valueStart(line: string, i: number): number {
  let j = i;
  if (line[j] === '"' || line[j] === "'") {
    const q = line[j]!;
    for (j++; j < line.length && line[j] !== q; j++) if (q === '"' && line[j] === '\\') j++;
    j++;
  }
  for (; j < line.length; j++) {
    if (line[j] === ':' && (line[j + 1] === ' ' || j + 1 === line.length)) {
      j++;
      while (line[j] === ' ') j++;
      return j < line.length && line[j] !== '#' ? j : -1;
    }
    if (line[j] === ' ' && line[j + 1] === '#') return -1;
  }
  return i; // no key on the line: the line is the value
}

/** The end of an anchor (`&a`) or a tag (`!t`, `!!seq`, `!<tag:...>`) starting at `i`. */
function propertyEnd(line: string, i: number): number {
  if (line.startsWith('!<', i)) {
    const end = line.indexOf('>', i);
    return end < 0 ? line.length : end + 1;
  }
  let j = i + 1;
  while (j < line.length && line[j] !== ' ' && !'[]{},'.includes(line[j]!)) j++;
  return j;
}

function skipSpaces(line: string, i: number): number {
  while (line[i] === ' ') i++;
  return i;
}
