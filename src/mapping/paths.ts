/**
 * Source paths, compiled once per format.
 *
 * - CSV: a column header (matched exactly, else trimmed and ignoring case). Headers may contain slashes.
 * - XML: `p:A/p:B` child elements, `//` any descendant, `@attr` / `@p:attr` attributes, `.` the element
 *   itself, predicates on any step (`p:A[p:Kind='x']`, `[@s:id='x']`, `[2]`, `[p:B]`, and ignoring case
 *   `[upper-case(p:Kind)='X']`), `id(path)` to
 *   follow an id reference and `current()` for the element the field is evaluated on (xml-path.ts).
 *   Names are resolved with the mapping's namespace table and matched by namespace URI.
 * - JSON: `a/b/0` keys and array indexes; predicates on array steps (json-path.ts).
 * In XML and JSON, a leading `$/` starts from the record root. Each leading `../` climbs: in XML to the
 * parent element (XPath), in JSON one scope (out of a `forEach`).
 */
import type { XmlElement } from '../formats/xml-tree.ts';
import type { Scope } from './runtime.ts';
import type { Accessor, Format } from './accessor.ts';
import { PathError, parsePath } from './path-syntax.ts';
import { compileXmlPath, isElement, newXmlIds, type XmlIds } from './xml-path.ts';
import { compileJsonPath } from './json-path.ts';

export type { Accessor, Format };
export { PathError };

export interface PathEnv {
  readonly format: Format;
  readonly namespaces: Record<string, string>;
  /** CSV only: the file's header. */
  readonly header?: readonly string[];
  /** XML only: which attributes are ids (`source.xml.ids`), shared by every path of the mapping. */
  readonly ids?: XmlIds;
}

/** The id attributes of an XML mapping: `source.xml.ids` (qualified names), default every attribute named `id`. */
export function xmlIds(ids: readonly string[] | undefined, namespaces: Record<string, string>): XmlIds {
  return newXmlIds(ids, namespaces);
}

/** Index of a CSV column: exact header first, then trimmed and ignoring case; -1 if absent. */
export function columnIndex(header: readonly string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact !== -1) return exact;
  const want = name.trim().toUpperCase();
  return header.findIndex((h) => h.trim().toUpperCase() === want);
}

export function compilePath(path: string, env: PathEnv): Accessor {
  if (env.format === 'csv') return csvPath(path, env.header ?? []);
  const ast = parsePath(path, env.format === 'json');
  const start = ast.start;
  const up = start.kind === 'scope' ? start.up : 0;
  const fromRoot = start.kind === 'root';
  if (env.format === 'xml') {
    const base = (scope: Scope): XmlElement | undefined => {
      let s = scope;
      if (fromRoot) while (s.parent) s = s.parent;
      let el = isElement(s.node) ? s.node : undefined;
      // XML: `..` is the parent element, as in XPath (the element a forEach item sits in, whatever the path).
      for (let i = 0; i < up && el; i++) el = el.parent ?? undefined;
      return el;
    };
    return compileXmlPath(path, ast, env.namespaces, env.ids ?? newXmlIds(undefined, env.namespaces), base);
  }
  const base = (scope: Scope): Scope => {
    let s = scope;
    if (fromRoot) while (s.parent) s = s.parent;
    else for (let i = 0; i < up && s.parent; i++) s = s.parent;
    return s;
  };
  return compileJsonPath(path, ast, base);
}

function csvPath(path: string, header: readonly string[]): Accessor {
  const idx = columnIndex(header, path.startsWith('$/') ? path.slice(2) : path);
  return {
    source: idx === -1 ? path : header[idx]!,
    one: idx === -1 ? () => undefined : (scope) => (scope.node as string[])[idx],
    all: idx === -1 ? () => [] : (scope) => [(scope.node as string[])[idx]],
    scopes: idx === -1 ? () => [] : (scope) => [{ node: (scope.node as string[])[idx], parent: scope }],
  };
}

/** The text of a matched node, for values read through `.`/forEach of XML elements. */
export function nodeValue(node: unknown): unknown {
  return isElement(node) ? node.text.trim() : node;
}
