/**
 * How deeply a YAML text nests, found by reading its lines before it is parsed.
 *
 * The YAML parser recurses once per level. A file nesting 100,000 levels (`[[[[...`, `- - - ...`,
 * `{a: {a: ...`, or one more space of indentation per line), 200 KB of text, exhausts the stack
 * inside it, and V8 can then abort the whole process while compiling a regular expression
 * ("RegExpCompiler Allocation failed"): a crash, not an error. The configuration and the mappings
 * never nest more than a dozen levels, so a file nesting more than `MAX_YAML_DEPTH` is refused before
 * it is parsed, with its line and column.
 *
 * The count is an upper bound of the parser's depth: block levels by indentation, each `- ` or `? `
 * that opens a collection on a line, and flow collections (`[`, `{`) outside quotes and comments.
 * A literal or folded block scalar (`|`, `>`) is text, skipped.
 */

/** Deeper than any configuration or mapping: a file nesting more is refused unparsed. */
export const MAX_YAML_DEPTH = 100;

export interface TooDeep {
  depth: number;
  line: number;
  col: number;
}

/** Where the text first nests deeper than `max` levels, or null. */
export function yamlTooDeep(text: string, max = MAX_YAML_DEPTH): TooDeep | null {
  const indents: number[] = []; // indentation of the open block levels
  let flow = 0; // open flow collections
  let quote: '"' | "'" | null = null; // open quoted scalar inside a flow collection
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
      // `- - x`, `? x`: each indicator opens one more level on this line.
      if (depth > max) return { depth, line: n + 1, col: i + 1 };
      while ((line[i] === '-' || line[i] === '?') && (line[i + 1] === ' ' || i + 1 === line.length)) {
        if (++depth > max) return { depth, line: n + 1, col: i + 1 };
        i += 2;
        while (line[i] === ' ') i++;
      }
      // The value: after `key: ` (the key unquoted, or quoted), or the line itself.
      const value = valueStart(line, i);
      if (value === -1) continue;
      i = value;
      if (line[i] === '|' || line[i] === '>') {
        blockScalarIndent = indents.at(-1)!;
        continue;
      }
      if (line[i] !== '[' && line[i] !== '{') continue;
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
