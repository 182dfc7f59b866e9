/**
 * Comments before the XML declaration.
 *
 * XML allows nothing before `<?xml ...?>`. Some writers (and some published sample documents) put a
 * licence notice, a comment, first and declare the document after it: such a file is not well-formed.
 * By default the reader refuses it with HUB_ERR_SOURCE_XML_DECLARATION naming the line and column of the
 * misplaced declaration. An operator who accepts such files sets the mapping's
 * `source.xml.leadingComments: allow`: when only comments and white space precede the declaration, the
 * declaration is blanked (spaces, same length, line breaks kept), so the parser reads a document without
 * a declaration whose prolog holds those comments, which is well-formed, and every line and column it
 * reports is still the file's own. Anything else before the declaration (text, an element) is never
 * accepted, and a declaration at the start is left as it is.
 *
 * Input: decoded text chunks. Output: the same text, the start held back until it is decided (at most
 * LEADING_COMMENTS_MAX_CHARS characters; a longer prologue is passed on unchanged), and, in `error`
 * mode, where a misplaced declaration sits.
 */

export type LeadingComments = 'error' | 'allow';

/** How much of the start is held back to find the declaration; a longer prologue is passed on unchanged. */
export const LEADING_COMMENTS_MAX_CHARS = 64 * 1024;

type Decision = { kind: 'wait' } | { kind: 'pass' } | { kind: 'misplaced'; from: number; to: number };

const SPACE = new Set([' ', '\t', '\r', '\n', '\uFEFF']);

/** Decide on the text seen so far: wait for more, pass it on, or report a declaration at [from, to) after comments or white space. */
function decide(head: string, final: boolean): Decision {
  const more: Decision = final ? { kind: 'pass' } : { kind: 'wait' };
  let i = 0;
  for (;;) {
    while (i < head.length && SPACE.has(head[i]!)) i++;
    if (i >= head.length) return more;
    const rest = head.slice(i, i + 6);
    if (rest.length < 6 && ('<!--'.startsWith(rest) || '<?xml '.startsWith(rest))) return more;
    if (rest.startsWith('<!--')) {
      const end = head.indexOf('-->', i + 4);
      if (end === -1) return more;
      i = end + 3;
      continue;
    }
    if (i > 0 && /^<\?xml[\s?]/.test(rest)) {
      const end = head.indexOf('?>', i + 5);
      if (end === -1) return more;
      return { kind: 'misplaced', from: i, to: end + 2 };
    }
    return { kind: 'pass' };
  }
}

/** 1-based line and column of an offset in a text. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** A stateful filter over decoded text: `push` each chunk, then `end`. */
export class LeadingCommentsFilter {
  private head = '';
  private decided = false;
  /** In `error` mode: where the declaration that comments or white space precede begins. */
  misplaced: { line: number; column: number } | null = null;

  constructor(private readonly mode: LeadingComments) {}

  push(chunk: string): string {
    if (this.decided) return chunk;
    this.head += chunk;
    return this.settle(false);
  }

  end(): string {
    return this.decided ? '' : this.settle(true);
  }

  private settle(final: boolean): string {
    const d = decide(this.head, final || this.head.length > LEADING_COMMENTS_MAX_CHARS);
    if (d.kind === 'wait') return '';
    this.decided = true;
    const text = this.head;
    this.head = '';
    if (d.kind === 'pass') return text;
    if (this.mode === 'error') {
      this.misplaced = position(text, d.from);
      return text;
    }
    return text.slice(0, d.from) + text.slice(d.from, d.to).replace(/[^\r\n]/g, ' ') + text.slice(d.to);
  }
}
