/**
 * JSON source paths, compiled once.
 *
 * Input: a parsed path (path-syntax.ts). Output: an `Accessor`. A step is a key (a number indexes an
 * array: `weapons/0`). A step with predicates takes the array at that key element by element (a
 * single value counts as a one-element array) and keeps the elements that pass: `[2]` the second
 * (1-based, as in XML), `[kind='rifle']` those whose value at `kind` equals the text, `[kind!='x']`
 * those where it does not (an absent value differs), `[serial]` those with a value at `serial`.
 * Numbers and booleans compare as their JSON text; an array compares by its elements.
 * Every match keeps its JSON pointer, so a forEach element's errors and provenance point at it.
 */
import { valueTrace, type Scope } from './runtime.ts';
import { PathError, TEXT_FUNCTIONS, isPlain, type OperandAst, type PathAst, type PredicateAst } from './path-syntax.ts';
import type { Accessor } from './accessor.ts';

interface Item {
  readonly v: unknown;
  /** Pointer relative to the source record. */
  readonly p: string;
}

type ItemsFn = (ctx: Item, cur: Item, root: Item) => Item[];
type ValuesFn = (ctx: Item, cur: Item, root: Item) => string[];

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function compileItems(source: string, p: PathAst): ItemsFn {
  let from: ItemsFn;
  const start = p.start;
  switch (start.kind) {
    case 'scope':
      if (start.up > 0) throw new PathError(`path "${source}": "../" inside a predicate is for XML; in JSON start the test from the element, from current() or from $/`);
      from = (ctx) => [ctx];
      break;
    case 'root':
      from = (_c, _cur, root) => [root];
      break;
    case 'current':
      if (start.up > 0) throw new PathError(`path "${source}": "current()/.." is for XML; a JSON value has no parent to climb to`);
      from = (_c, cur) => [cur];
      break;
    case 'id':
      throw new PathError(`path "${source}": id() follows XML id references; JSON paths have none`);
  }
  for (const st of p.steps) {
    const key = st.name;
    const k = esc(key);
    const tests = st.predicates.map((pr) => compilePredicate(source, pr));
    const prev = from;
    if (tests.length === 0) {
      from = (ctx, cur, root) => {
        const out: Item[] = [];
        for (const it of prev(ctx, cur, root)) {
          if (it.v === null || typeof it.v !== 'object') continue;
          const v = (it.v as Record<string, unknown>)[key];
          if (v !== undefined) out.push({ v, p: `${it.p}/${k}` });
        }
        return out;
      };
    } else {
      from = (ctx, cur, root) => {
        const out: Item[] = [];
        for (const it of prev(ctx, cur, root)) {
          if (it.v === null || typeof it.v !== 'object') continue;
          const v = (it.v as Record<string, unknown>)[key];
          if (v === undefined || v === null) continue;
          let list: Item[] = Array.isArray(v) ? v.map((x, i) => ({ v: x, p: `${it.p}/${k}/${i}` })) : [{ v, p: `${it.p}/${k}` }];
          for (const t of tests) list = t(list, cur, root);
          for (const m of list) out.push(m);
        }
        return out;
      };
    }
  }
  return from;
}

function textsOf(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v.trim());
  else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) if (!Array.isArray(x)) textsOf(x, out);
}

function compileOperand(source: string, o: OperandAst): ValuesFn {
  if (o.kind === 'literal') {
    const v = [o.value.trim()];
    return () => v;
  }
  if (o.kind === 'fn') {
    const arg = compileOperand(source, o.arg);
    const f = TEXT_FUNCTIONS[o.fn];
    return (ctx, cur, root) => arg(ctx, cur, root).map(f);
  }
  const items = compileItems(source, o.path);
  return (ctx, cur, root) => {
    const out: string[] = [];
    for (const it of items(ctx, cur, root)) textsOf(it.v, out);
    return out;
  };
}

function compilePredicate(source: string, pr: PredicateAst): (list: Item[], cur: Item, root: Item) => Item[] {
  switch (pr.kind) {
    case 'position': {
      const i = pr.n - 1;
      return (m) => (i < m.length ? [m[i]!] : []);
    }
    case 'exists': {
      const items = compileItems(source, pr.path);
      return (m, cur, root) => m.filter((it) => items(it, cur, root).some((x) => x.v !== null));
    }
    case 'compare': {
      const left = compileOperand(source, pr.left);
      const right = compileOperand(source, pr.right);
      const eq = pr.op === '=';
      return (m, cur, root) =>
        m.filter((it) => {
          const a = left(it, cur, root);
          const b = right(it, cur, root);
          let any = false;
          for (const x of a) if (b.includes(x)) any = true;
          return any === eq;
        });
    }
  }
}

function rootOf(scope: Scope): Scope {
  let s = scope;
  while (s.parent) s = s.parent;
  return s;
}

/** Today's plain paths (keys and indexes): a direct walk. */
function plainAccessor(source: string, keys: string[], base: (s: Scope) => Scope): Accessor {
  const get = (scope: Scope): unknown => {
    let n: unknown = base(scope).node;
    for (const s of keys) {
      if (n === null || typeof n !== 'object') return undefined;
      n = (n as Record<string, unknown>)[s];
    }
    return n;
  };
  const rel = keys.map(esc).join('/');
  return {
    source,
    one: get,
    all(scope) {
      const v = get(scope);
      if (v === undefined || v === null) return [];
      return Array.isArray(v) ? v : [v];
    },
    scopes(scope) {
      const v = get(scope);
      if (v === undefined || v === null) return [];
      const prefix = `${base(scope).path ?? ''}${rel ? '/' + rel : ''}`;
      return Array.isArray(v) ? v.map((node, i) => ({ node, parent: scope, path: `${prefix}/${i}` })) : [{ node: v, parent: scope, path: prefix }];
    },
  };
}

/** Compile a JSON path; `base` resolves its start (`$/`, `../`) against the scope chain. */
export function compileJsonPath(source: string, ast: PathAst, base: (s: Scope) => Scope): Accessor {
  if (ast.attr !== null) throw new PathError(`path "${source}": "@" names an XML attribute; in JSON write the key`);
  if (isPlain(ast)) return plainAccessor(source, ast.steps.map((s) => s.name), base);
  const rel: PathAst = ast.start.kind === 'current' ? ast : { ...ast, start: { kind: 'scope', up: 0 } };
  const items = compileItems(source, rel);
  const lastExpands = ast.steps.length > 0 && ast.steps[ast.steps.length - 1]!.predicates.length === 0;
  const itemOf = (s: Scope): Item => ({ v: s.node, p: s.path ?? '' });
  const matched = (scope: Scope): Item[] => {
    const from = rel.start.kind === 'current' ? scope : base(scope);
    const found = items(itemOf(from), itemOf(scope), itemOf(rootOf(scope)));
    const out: Item[] = [];
    for (const it of found) {
      if (it.v === null || it.v === undefined) continue;
      if (lastExpands && Array.isArray(it.v)) it.v.forEach((v, i) => out.push({ v, p: `${it.p}/${i}` }));
      else out.push(it);
    }
    return out;
  };
  return {
    source,
    one(scope) {
      const from = rel.start.kind === 'current' ? scope : base(scope);
      const first = items(itemOf(from), itemOf(scope), itemOf(rootOf(scope)))[0];
      if (first === undefined) return undefined;
      valueTrace.last = first.p;
      return first.v;
    },
    all: (scope) => matched(scope).map((it) => it.v),
    scopes: (scope) => matched(scope).map((it) => ({ node: it.v, parent: scope, path: it.p })),
  };
}
