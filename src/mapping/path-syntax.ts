/**
 * The syntax of XML and JSON source paths, parsed once into a tree that paths.ts compiles per format.
 *
 * Input: a path as a mapping writes it. Output: a `PathAst`, or a `PathError` naming the path, the
 * character position and what was expected. Grammar (XPath's, a documented subset):
 *
 *   path      := start? step (('/' | '//') step)* ('/' '@' name)?  |  '@' name  |  '.'
 *   start     := '$/' (the record root) | ('../')* (up from the scope) | 'current()/' ('../')* | 'id(' operand ')' predicate* '/'
 *   step      := name predicate*  |  '.'
 *   predicate := '[' integer ']'                     1-based position among the step's matches
 *              | '[' operand ']'                     existence of a node (operand is a path)
 *              | '[' operand ('=' | '!=') operand ']'
 *   operand   := 'text' | "text" | path              a path is relative to the element tested
 *              | function '(' operand ')'            its values changed, as XPath 2.0's functions do
 *   function  := 'upper-case' | 'lower-case' | 'normalize-space'
 *
 * `//` between steps is the descendant axis (any depth). Names are kept as written; XML resolves their
 * prefixes, JSON takes them as keys.
 */

export class PathError extends Error {}

export type PathStart =
  /** Relative to the scope, after climbing `up` levels (`../`). */
  | { readonly kind: 'scope'; readonly up: number }
  /** `$/`: from the source record's root. */
  | { readonly kind: 'root' }
  /** `current()`: the element (or JSON value) the field is evaluated on, also inside predicates; `current()/..` its parent (XML). */
  | { readonly kind: 'current'; readonly up: number }
  /** `id(path)` or `id('value')`: the elements whose id attribute equals a value of the argument (XML). */
  | { readonly kind: 'id'; readonly arg: OperandAst; readonly predicates: readonly PredicateAst[] };

export interface StepAst {
  readonly axis: 'child' | 'descendant';
  readonly name: string;
  readonly predicates: readonly PredicateAst[];
}

export type PredicateAst =
  | { readonly kind: 'position'; readonly n: number }
  | { readonly kind: 'exists'; readonly path: PathAst }
  | { readonly kind: 'compare'; readonly op: '=' | '!='; readonly left: OperandAst; readonly right: OperandAst };

/** Functions of a predicate's operand: each changes every value of its argument (XPath 2.0's names). */
export const TEXT_FUNCTIONS = {
  'upper-case': (v: string): string => v.toUpperCase(),
  'lower-case': (v: string): string => v.toLowerCase(),
  /** Trims and turns every run of white space into one space. */
  'normalize-space': (v: string): string => v.trim().replace(/\s+/g, ' '),
} as const;
export type TextFunction = keyof typeof TEXT_FUNCTIONS;

export type OperandAst =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'path'; readonly path: PathAst }
  | { readonly kind: 'fn'; readonly fn: TextFunction; readonly arg: OperandAst };

export interface PathAst {
  readonly start: PathStart;
  readonly steps: readonly StepAst[];
  /** The attribute the path ends on (`@s:id`), or null for an element / JSON value. */
  readonly attr: string | null;
}

/** True when the path uses nothing beyond plain steps (no predicates, id(), current() or `//`). */
export function isPlain(p: PathAst): boolean {
  return (p.start.kind === 'scope' || p.start.kind === 'root') && p.steps.every((s) => s.axis === 'child' && s.predicates.length === 0);
}

/** Characters that end a name: path and predicate punctuation, quotes, white space. */
const NAME_END = new Set(['/', '[', ']', '=', '!', "'", '"', '(', ')', '@', ' ', '\t', '\n', '\r']);

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly json: boolean,
  ) {}

  fail(what: string): never {
    const at = this.i >= this.text.length ? 'at the end' : `at character ${this.i + 1} ("${this.text.slice(this.i, this.i + 12)}")`;
    throw new PathError(`path "${this.text}": ${what} ${at}`);
  }

  private peek(s: string): boolean {
    return this.text.startsWith(s, this.i);
  }

  private eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.i += s.length;
    return true;
  }

  private spaces(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  get done(): boolean {
    return this.i >= this.text.length;
  }

  /** A whole path; `inner` when it sits in a predicate or id() and ends at `]`, `)`, `=` or `!=`. */
  path(inner: boolean): PathAst {
    let start: PathStart = { kind: 'scope', up: 0 };
    if (this.eat('$/')) start = { kind: 'root' };
    else if (this.peek('$') && (this.i + 1 === this.text.length || this.atEnd(this.i + 1, inner))) {
      this.i++;
      start = { kind: 'root' };
    }
    else if (this.eat('current()')) {
      let up = 0;
      if (!this.atPathEnd(inner) && !this.eat('/')) this.fail('expected "/" after current()');
      // current()/../..: the parents of the element the field is evaluated on, as in XPath.
      while (this.peek('..') && (this.text[this.i + 2] === '/' || this.atEnd(this.i + 2, inner))) {
        this.i += 2;
        up++;
        if (!this.eat('/')) break;
      }
      start = { kind: 'current', up };
    } else if (this.peek('id(')) {
      this.i += 3;
      this.spaces();
      const arg = this.operand();
      this.spaces();
      if (!this.eat(')')) this.fail('expected ")" closing id(');
      if (this.json) throw new PathError(`path "${this.text}": id() follows XML id references; JSON paths have none`);
      const predicates: PredicateAst[] = [];
      while (this.eat('[')) predicates.push(this.predicate());
      start = { kind: 'id', arg, predicates };
      if (!this.atPathEnd(inner) && !this.eat('/')) this.fail('expected "/" after id(...)');
    } else {
      let up = 0;
      while (this.peek('..') && (this.text[this.i + 2] === '/' || this.i + 2 === this.text.length || this.atEnd(this.i + 2, inner))) {
        this.i += 2;
        up++;
        if (!this.eat('/')) break;
      }
      start = { kind: 'scope', up };
    }
    const steps: StepAst[] = [];
    let attr: string | null = null;
    let axis: 'child' | 'descendant' = 'child';
    let first = true;
    while (!this.atPathEnd(inner)) {
      if (!first) {
        if (this.eat('//')) axis = 'descendant';
        else if (this.eat('/')) axis = 'child';
        else this.fail('expected "/" or "[" ');
        if (this.atPathEnd(inner)) break; // a trailing slash
      } else if (this.eat('//') || (start.kind !== 'scope' && this.eat('/'))) {
        // `//p:A` from the scope; `$//p:A`, `current()//p:A`, `id(...)//p:A` (the start ate one slash).
        axis = 'descendant';
      }
      first = false;
      if (this.eat('@')) {
        attr = this.name('an attribute name after "@"');
        if (axis === 'descendant') this.fail('"//@" is not supported: name the element that holds the attribute');
        if (!this.atPathEnd(inner)) this.fail('an attribute ends the path; nothing may follow it');
        break;
      }
      if (this.peek('..')) this.fail('".." may only start a path (../../p:Name)');
      if (this.eat('.')) {
        if (this.peek('[')) this.fail('a predicate needs a name before it (p:Name[...])');
        continue;
      }
      const name = this.name('a name');
      const predicates: PredicateAst[] = [];
      while (this.eat('[')) predicates.push(this.predicate());
      steps.push({ axis, name, predicates });
      axis = 'child';
    }
    if (axis === 'descendant') this.fail('"//" must be followed by a name');
    if (this.json && steps.some((s) => s.axis === 'descendant')) throw new PathError(`path "${this.text}": "//" (any depth) is for XML paths; in JSON name each key`);
    return { start, steps, attr };
  }

  /** Whether a path inside a predicate or id() ends at character `at`. */
  private atEnd(at: number, inner: boolean): boolean {
    if (at >= this.text.length) return true;
    if (!inner) return false;
    const c = this.text[at]!;
    return c === ']' || c === ')' || c === '=' || (c === '!' && this.text[at + 1] === '=') || /\s/.test(c);
  }

  private atPathEnd(inner: boolean): boolean {
    return this.atEnd(this.i, inner);
  }

  private name(what: string): string {
    const from = this.i;
    while (this.i < this.text.length && !NAME_END.has(this.text[this.i]!)) {
      // `p:Name` keeps its colon; a JSON key is anything up to the next path character.
      this.i++;
    }
    if (this.i === from) this.fail(`expected ${what}`);
    return this.text.slice(from, this.i);
  }

  private predicate(): PredicateAst {
    this.spaces();
    const num = /^\d+/.exec(this.text.slice(this.i));
    if (num && /^\s*\]/.test(this.text.slice(this.i + num[0].length))) {
      this.i += num[0].length;
      this.spaces();
      this.eat(']');
      const n = Number(num[0]);
      if (n < 1) throw new PathError(`path "${this.text}": positions count from 1 ([1] is the first match)`);
      return { kind: 'position', n };
    }
    const left = this.operand();
    this.spaces();
    let pred: PredicateAst;
    if (this.eat('!=')) pred = { kind: 'compare', op: '!=', left, right: this.rightOperand() };
    else if (this.eat('=')) pred = { kind: 'compare', op: '=', left, right: this.rightOperand() };
    else {
      if (left.kind === 'literal') this.fail('a quoted value alone is no test: write [p:Name=\'value\']');
      if (left.kind === 'fn') this.fail(`${left.fn}() alone is no test: compare it, [${left.fn}(p:Name)='value']`);
      pred = { kind: 'exists', path: left.path };
    }
    this.spaces();
    if (this.peek('and ') || this.peek('or ')) this.fail('"and" / "or" are not supported: chain predicates for "and" ([a=\'1\'][b=\'2\'])');
    if (!this.eat(']')) this.fail('expected "]"');
    return pred;
  }

  private rightOperand(): OperandAst {
    this.spaces();
    return this.operand();
  }

  private operand(): OperandAst {
    const fn = /^(upper-case|lower-case|normalize-space)\(/.exec(this.text.slice(this.i));
    if (fn) {
      this.i += fn[0].length;
      this.spaces();
      const arg = this.operand();
      this.spaces();
      if (!this.eat(')')) this.fail(`expected ")" closing ${fn[1]}(`);
      return { kind: 'fn', fn: fn[1] as TextFunction, arg };
    }
    const q = this.text[this.i];
    if (q === "'" || q === '"') {
      const end = this.text.indexOf(q, this.i + 1);
      if (end === -1) this.fail(`unclosed quote ${q}`);
      const value = this.text.slice(this.i + 1, end);
      this.i = end + 1;
      return { kind: 'literal', value };
    }
    if (/[\d-]/.test(q ?? '') && /^-?\d+(\.\d+)?\s*[\]=!]/.test(this.text.slice(this.i))) {
      this.fail('quote the value you compare with (\'42\'): comparisons are on text');
    }
    return { kind: 'path', path: this.path(true) };
  }
}

/** Parse a path (XML unless `json`); throws `PathError` with the position of the problem. */
export function parsePath(text: string, json: boolean): PathAst {
  const p = new Parser(text, json);
  const ast = p.path(false);
  if (!p.done) p.fail('unexpected text');
  return ast;
}
