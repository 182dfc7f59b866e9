/**
 * XML source paths, compiled once into functions over the reader's element trees.
 *
 * Input: a parsed path (path-syntax.ts), the mapping's prefix -> namespace table and which attributes
 * are ids. Output: an `Accessor` whose functions run per record with nothing left to interpret: names
 * are resolved to namespace URIs (documents match whatever prefixes they use), predicates to tests.
 *
 * - Steps match child elements by namespace URI and local name; `//` any descendant, in document order.
 * - `[n]` keeps the n-th (1-based) of the step's matches from one context element, after the
 *   predicates before it; `[p]` keeps elements where path p finds a node; `[a = b]` where some value of
 *   a equals some value of b, `[a != b]` where none does (an absent value differs). Values are trimmed
 *   text, compared case-sensitively unless an operand is wrapped in upper-case(), lower-case() or
 *   normalize-space(); a path in a predicate starts at the element tested.
 * - `current()` is the element the field is evaluated on; `$/` the source record's root element.
 * - `id(p)`: the elements of the same source record whose id attribute equals a value of p (values are
 *   split at white space, as IDREFS are). Ids are indexed once per record, on first use.
 */
import { resolveStep } from '../formats/xml-reader.ts';
import { expandedName, type XmlElement } from '../formats/xml-tree.ts';
import { valueTrace, type Scope } from './runtime.ts';
import { PathError, TEXT_FUNCTIONS, isPlain, type OperandAst, type PathAst, type PredicateAst } from './path-syntax.ts';
import type { Accessor } from './accessor.ts';

/** How ids are recognised: attribute expanded names, or null for "any attribute whose local name is id". */
export interface XmlIds {
  readonly names: ReadonlySet<string> | null;
  /** Record root -> id value -> element: built on first use for each record, dropped with the record. */
  readonly index: WeakMap<XmlElement, Map<string, XmlElement>>;
}

export function newXmlIds(ids: readonly string[] | undefined, namespaces: Record<string, string>): XmlIds {
  const names = ids === undefined ? null : new Set(ids.map((q) => attrKey(q, namespaces, `source.xml.ids "${q}"`)));
  return { names, index: new WeakMap() };
}

/** An attribute's key in `XmlElement.attrs`: unprefixed attributes have no namespace, as in XML. */
function attrKey(qname: string, namespaces: Record<string, string>, where: string): string {
  if (!qname.includes(':')) return qname;
  try {
    const st = resolveStep(qname, namespaces);
    return expandedName(st.ns, st.local);
  } catch (err) {
    throw new PathError(`${where}: ${(err as Error).message}`);
  }
}

/** Elements reached from a context: `current` is the element the field is evaluated on. */
type NodesFn = (context: XmlElement, current: XmlElement | undefined) => XmlElement[];
type ValuesFn = (context: XmlElement, current: XmlElement | undefined) => string[];

interface Compiler {
  readonly source: string;
  readonly namespaces: Record<string, string>;
  readonly ids: XmlIds;
}

function recordRoot(el: XmlElement): XmlElement {
  let r = el;
  while (r.parent) r = r.parent;
  return r;
}

function idIndex(root: XmlElement, ids: XmlIds): Map<string, XmlElement> {
  let idx = ids.index.get(root);
  if (idx) return idx;
  idx = new Map();
  const stack = [root];
  while (stack.length) {
    const el = stack.pop()!;
    for (const k in el.attrs) {
      const isId = ids.names ? ids.names.has(k) : k === 'id' || k.endsWith('}id');
      if (isId) {
        const v = el.attrs[k]!.trim();
        if (v && !idx.has(v)) idx.set(v, el);
      }
    }
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
  ids.index.set(root, idx);
  return idx;
}

function name(c: Compiler, qname: string): { ns: string; local: string } {
  try {
    return resolveStep(qname, c.namespaces);
  } catch (err) {
    throw new PathError(`path "${c.source}": ${(err as Error).message}`);
  }
}

/** The elements a path's start and steps reach (not its attribute). */
function compileNodes(c: Compiler, p: PathAst): NodesFn {
  const start = p.start;
  let from: NodesFn;
  switch (start.kind) {
    case 'scope': {
      const up = start.up;
      from =
        up === 0
          ? (ctx) => [ctx]
          : (ctx) => {
              let el: XmlElement | null = ctx;
              for (let i = 0; i < up && el; i++) el = el.parent;
              return el ? [el] : [];
            };
      break;
    }
    case 'root':
      from = (ctx) => [recordRoot(ctx)];
      break;
    case 'current': {
      const up = start.up;
      from = (ctx, cur) => {
        let el: XmlElement | null = cur ?? ctx;
        for (let i = 0; i < up && el; i++) el = el.parent;
        return el ? [el] : [];
      };
      break;
    }
    case 'id': {
      const values = compileOperand(c, start.arg);
      const tests = start.predicates.map((pr) => compilePredicate(c, pr));
      from = (ctx, cur) => {
        const idx = idIndex(recordRoot(ctx), c.ids);
        let out: XmlElement[] = [];
        for (const v of values(ctx, cur)) {
          for (const ref of v.split(/\s+/)) {
            const el = ref ? idx.get(ref) : undefined;
            if (el && !out.includes(el)) out.push(el);
          }
        }
        for (const t of tests) out = t(out, cur);
        return out;
      };
      break;
    }
  }
  for (const st of p.steps) {
    const { ns, local } = name(c, st.name);
    const tests = st.predicates.map((pr) => compilePredicate(c, pr));
    const descendant = st.axis === 'descendant';
    const prev = from;
    from = (ctx, cur) => {
      const out: XmlElement[] = [];
      for (const el of prev(ctx, cur)) {
        let matches: XmlElement[] = [];
        if (descendant) collectDescendants(el, ns, local, matches);
        else for (const ch of el.children) if (ch.local === local && ch.ns === ns) matches.push(ch);
        for (const t of tests) matches = t(matches, cur);
        for (const m of matches) out.push(m);
      }
      return out;
    };
  }
  return from;
}

function collectDescendants(el: XmlElement, ns: string, local: string, out: XmlElement[]): void {
  for (const ch of el.children) {
    if (ch.local === local && ch.ns === ns) out.push(ch);
    if (ch.children.length) collectDescendants(ch, ns, local, out);
  }
}

/** The values a path gives: its attribute, or each element's trimmed text. */
function compileValues(c: Compiler, p: PathAst): ValuesFn {
  const nodes = compileNodes(c, p);
  if (p.attr !== null) {
    const key = attrKey(p.attr, c.namespaces, `path "${c.source}"`);
    return (ctx, cur) => {
      const out: string[] = [];
      for (const el of nodes(ctx, cur)) {
        const v = el.attrs[key];
        if (v !== undefined) out.push(v.trim());
      }
      return out;
    };
  }
  return (ctx, cur) => nodes(ctx, cur).map((el) => el.text.trim());
}

/** A predicate as a filter over the matches of one step from one context element. */
function compilePredicate(c: Compiler, pr: PredicateAst): (matches: XmlElement[], cur: XmlElement | undefined) => XmlElement[] {
  switch (pr.kind) {
    case 'position': {
      const i = pr.n - 1;
      return (m) => (i < m.length ? [m[i]!] : []);
    }
    case 'exists': {
      const found: (el: XmlElement, cur: XmlElement | undefined) => unknown[] = pr.path.attr !== null ? compileValues(c, pr.path) : compileNodes(c, pr.path);
      return (m, cur) => m.filter((el) => found(el, cur).length > 0);
    }
    case 'compare': {
      const left = compileOperand(c, pr.left);
      const right = compileOperand(c, pr.right);
      const eq = pr.op === '=';
      return (m, cur) =>
        m.filter((el) => {
          const a = left(el, cur);
          const b = right(el, cur);
          let any = false;
          for (const x of a) if (b.includes(x)) any = true;
          return any === eq;
        });
    }
  }
}

function compileOperand(c: Compiler, o: OperandAst): ValuesFn {
  if (o.kind === 'literal') {
    const v = [o.value.trim()];
    return () => v;
  }
  if (o.kind === 'fn') {
    const arg = compileOperand(c, o.arg);
    const f = TEXT_FUNCTIONS[o.fn];
    return (ctx, cur) => arg(ctx, cur).map(f);
  }
  return compileValues(c, o.path);
}

/** Today's plain paths (child steps, an optional attribute): a direct search that stops at the first match. */
function plainAccessor(c: Compiler, p: PathAst, base: (s: Scope) => XmlElement | undefined): Accessor {
  const steps = p.steps.map((s) => name(c, s.name));
  const attr = p.attr === null ? null : attrKey(p.attr, c.namespaces, `path "${c.source}"`);
  const find = (el: XmlElement, i: number, out: XmlElement[] | null): XmlElement | undefined => {
    if (i === steps.length) {
      out?.push(el);
      return el;
    }
    const st = steps[i]!;
    for (const ch of el.children) {
      if (ch.local === st.local && ch.ns === st.ns) {
        const r = find(ch, i + 1, out);
        if (r && !out) return r;
      }
    }
    return undefined;
  };
  const all = (scope: Scope): unknown[] => {
    const node = base(scope);
    if (!node) return [];
    const out: XmlElement[] = [];
    find(node, 0, out);
    return attr !== null ? out.map((e) => e.attrs[attr]).filter((v) => v !== undefined) : out;
  };
  return {
    source: c.source,
    one(scope) {
      const node = base(scope);
      if (!node) return undefined;
      const el = find(node, 0, null);
      if (!el) return undefined;
      valueTrace.last = el;
      return attr !== null ? el.attrs[attr] : el.text.trim();
    },
    exists(scope) {
      const node = base(scope);
      const el = node ? find(node, 0, null) : undefined;
      return el ? present(el, attr) : false;
    },
    all,
    scopes: (scope) => all(scope).map((node) => ({ node, parent: scope })),
  };
}

function present(el: XmlElement, attr: string | null): boolean {
  if (attr !== null) return (el.attrs[attr] ?? '').trim() !== '';
  return el.children.length > 0 || el.text.trim() !== '';
}

/**
 * Compile an XML path. `base` gives the element a path without `$/` starts from (the scope's node, or
 * for `$/` the record root, or climbed with `../`); `current()` is always the scope's own node.
 */
export function compileXmlPath(source: string, ast: PathAst, namespaces: Record<string, string>, ids: XmlIds, base: (s: Scope) => XmlElement | undefined): Accessor {
  const c: Compiler = { source, namespaces, ids };
  if (isPlain(ast)) return plainAccessor(c, ast, base);
  // The start ($/, ../) is applied by `base`; the compiled path then starts from that element.
  const rel: PathAst = ast.start.kind === 'scope' || ast.start.kind === 'root' ? { ...ast, start: { kind: 'scope', up: 0 } } : ast;
  const nodes = compileNodes(c, rel);
  const attr = ast.attr === null ? null : attrKey(ast.attr, c.namespaces, `path "${source}"`);
  const currentOf = (scope: Scope): XmlElement | undefined => (isElement(scope.node) ? scope.node : undefined);
  const matched = (scope: Scope): XmlElement[] => {
    const from = rel.start.kind === 'scope' ? base(scope) : currentOf(scope);
    return from ? nodes(from, currentOf(scope)) : [];
  };
  const all = (scope: Scope): unknown[] => {
    const els = matched(scope);
    if (attr === null) return els;
    const out: string[] = [];
    for (const el of els) {
      const v = el.attrs[attr];
      if (v !== undefined) out.push(v);
    }
    return out;
  };
  const firstWith = (scope: Scope): XmlElement | undefined => {
    for (const el of matched(scope)) if (attr === null || el.attrs[attr] !== undefined) return el;
    return undefined;
  };
  return {
    source,
    one(scope) {
      const el = firstWith(scope);
      if (!el) return undefined;
      valueTrace.last = el;
      return attr !== null ? el.attrs[attr] : el.text.trim();
    },
    exists(scope) {
      const el = firstWith(scope);
      return el ? present(el, attr) : false;
    },
    all,
    scopes: (scope) => all(scope).map((node) => ({ node, parent: scope })),
  };
}

export function isElement(node: unknown): node is XmlElement {
  return node !== null && typeof node === 'object' && 'children' in node && 'local' in node;
}
