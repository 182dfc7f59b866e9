/**
 * Source paths, compiled once per format.
 *
 * - CSV: a column header (matched exactly, else trimmed and ignoring case). Headers may contain slashes.
 * - XML: `p:A/p:B` child elements, `@attr` / `@p:attr` attributes, `.` the element itself; names are
 *   resolved with the mapping's namespace table and matched by namespace URI. Element text is trimmed.
 * - JSON: `a/b/0` keys and array indexes.
 * In XML and JSON, a leading `$/` starts from the record root. Each leading `../` climbs: in XML to the
 * parent element (XPath), in JSON one scope (out of a `forEach`).
 */
import { resolveStep } from '../formats/xml-reader.ts';
import { expandedName, type XmlElement } from '../formats/xml-tree.ts';
import { xmlTrace, type Scope } from './runtime.ts';

export interface Accessor {
  /** The path as written in the mapping, or for CSV the column as the file's header spells it (used in error pointers). */
  readonly source: string;
  /** The path leads somewhere non-empty: a value, or (XML) an element with text or child elements. */
  exists?(scope: Scope): boolean;
  /** JSON: the pointer (relative to the record) of the i-th element `all` returns. */
  pointerOf?(scope: Scope, index: number): string;
  /** The first value at the path, or undefined. */
  one(scope: Scope): unknown;
  /** Every match (elements for XML, array items for JSON), for forEach. */
  all(scope: Scope): unknown[];
}

export type Format = 'csv' | 'xml' | 'json';

export interface PathEnv {
  readonly format: Format;
  readonly namespaces: Record<string, string>;
  /** CSV only: the file's header. */
  readonly header?: readonly string[];
}

export class PathError extends Error {}

/** Index of a CSV column: exact header first, then trimmed and ignoring case; -1 if absent. */
export function columnIndex(header: readonly string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact !== -1) return exact;
  const want = name.trim().toUpperCase();
  return header.findIndex((h) => h.trim().toUpperCase() === want);
}

export function compilePath(path: string, env: PathEnv): Accessor {
  if (env.format === 'csv') return csvPath(path, env.header ?? []);
  let rest = path;
  let up = 0;
  let fromRoot = false;
  if (rest.startsWith('$/') || rest === '$') {
    fromRoot = true;
    rest = rest.slice(2);
  } else {
    while (rest.startsWith('../') || rest === '..') {
      up++;
      rest = rest.slice(3);
    }
  }
  const base = (scope: Scope): Scope => {
    let s = scope;
    if (fromRoot) while (s.parent) s = s.parent;
    else if (env.format === 'xml' && up > 0) {
      // XML: `..` is the parent element, as in XPath (the element a forEach item sits in, whatever the path).
      let el = s.node as XmlElement | null;
      for (let i = 0; i < up && el; i++) el = el.parent;
      return { node: el ?? undefined, parent: null };
    } else for (let i = 0; i < up && s.parent; i++) s = s.parent;
    return s;
  };
  const segs = rest.split('/').filter((s) => s !== '' && s !== '.');
  return env.format === 'xml' ? xmlPath(path, segs, env.namespaces, base) : jsonPath(path, segs, base);
}

function csvPath(path: string, header: readonly string[]): Accessor {
  const idx = columnIndex(header, path.startsWith('$/') ? path.slice(2) : path);
  return {
    source: idx === -1 ? path : header[idx]!,
    one: idx === -1 ? () => undefined : (scope) => (scope.node as string[])[idx],
    all: idx === -1 ? () => [] : (scope) => [(scope.node as string[])[idx]],
  };
}

function xmlPath(source: string, segs: string[], namespaces: Record<string, string>, base: (s: Scope) => Scope): Accessor {
  let attr: string | null = null;
  const last = segs[segs.length - 1];
  if (last?.startsWith('@')) {
    segs = segs.slice(0, -1);
    const name = last.slice(1);
    let st: { ns: string; local: string };
    try {
      st = name.includes(':') ? resolveStep(name, namespaces) : { ns: '', local: name };
    } catch (err) {
      throw new PathError(`path "${source}": ${(err as Error).message}`);
    }
    attr = expandedName(st.ns, st.local);
  }
  const steps = segs.map((s) => {
    try {
      return resolveStep(s, namespaces);
    } catch (err) {
      throw new PathError(`path "${source}": ${(err as Error).message}`);
    }
  });
  const find = (el: XmlElement, i: number, out: XmlElement[] | null): XmlElement | undefined => {
    if (i === steps.length) {
      out?.push(el);
      return el;
    }
    const st = steps[i]!;
    for (const c of el.children) {
      if (c.local === st.local && c.ns === st.ns) {
        const r = find(c, i + 1, out);
        if (r && !out) return r;
      }
    }
    return undefined;
  };
  return {
    source,
    one(scope) {
      const node = base(scope).node as XmlElement | undefined;
      if (!node) return undefined;
      const el = find(node, 0, null);
      if (!el) return undefined;
      xmlTrace.last = el;
      return attr !== null ? el.attrs[attr] : el.text.trim();
    },
    exists(scope) {
      const node = base(scope).node as XmlElement | undefined;
      const el = node ? find(node, 0, null) : undefined;
      if (!el) return false;
      if (attr !== null) return (el.attrs[attr] ?? '').trim() !== '';
      return el.children.length > 0 || el.text.trim() !== '';
    },
    all(scope) {
      const node = base(scope).node as XmlElement | undefined;
      if (!node) return [];
      const out: XmlElement[] = [];
      find(node, 0, out);
      return attr !== null ? out.map((e) => e.attrs[attr!]).filter((v) => v !== undefined) : out;
    },
  };
}

function jsonPath(source: string, segs: string[], base: (s: Scope) => Scope): Accessor {
  const get = (scope: Scope): unknown => {
    let n: unknown = base(scope).node;
    for (const s of segs) {
      if (n === null || typeof n !== 'object') return undefined;
      n = (n as Record<string, unknown>)[s];
    }
    return n;
  };
  const rel = segs.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  return {
    source,
    one: get,
    all(scope) {
      const v = get(scope);
      if (v === undefined || v === null) return [];
      return Array.isArray(v) ? v : [v];
    },
    pointerOf(scope, index) {
      const b = base(scope);
      const prefix = `${b.path ?? ''}${rel ? '/' + rel : ''}`;
      return Array.isArray(get(scope)) ? `${prefix}/${index}` : prefix;
    },
  };
}

/** The scope of the i-th element a forEach accessor returned. */
export function scopeFor(node: unknown, parent: Scope, acc: Accessor, index: number): Scope {
  return acc.pointerOf ? { node, parent, path: acc.pointerOf(parent, index) } : { node, parent };
}

/** The text of a matched node, for values read through `.`/forEach of XML elements. */
export function nodeValue(node: unknown): unknown {
  if (node !== null && typeof node === 'object' && 'children' in (node as object) && 'local' in (node as object)) {
    return (node as XmlElement).text.trim();
  }
  return node;
}
