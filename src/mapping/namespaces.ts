/**
 * A mapping's `namespaces`: each prefix names one namespace URI, or a list of them when the same
 * vocabulary was published under several (NIBRS XML 4.0 and 4.2 before 2019, with the same element
 * names). The first URI of a list is the one the mapping's paths mean; documents in any of the others
 * are read as if they used the first (`readAs`), so one mapping reads every version its list names.
 *
 * Input: the mapping's `namespaces` as written (prefix -> URI or URIs; the schema checked their types).
 * Output: `uris`, prefix -> the URI its paths mean; `readAs`, every further URI -> the URI it is read as;
 * `problems`, a URI listed under two prefixes (a document element in it would have to be two names).
 */
export type NamespacesSpec = Readonly<Record<string, string | readonly string[]>>;

export interface MappingNamespaces {
  readonly uris: Readonly<Record<string, string>>;
  readonly readAs: ReadonlyMap<string, string>;
  readonly problems: readonly { prefix: string; message: string }[];
}

const tables = new WeakMap<NamespacesSpec, MappingNamespaces>();
const NONE: MappingNamespaces = { uris: {}, readAs: new Map(), problems: [] };

export function mappingNamespaces(spec: NamespacesSpec | undefined): MappingNamespaces {
  if (!spec) return NONE;
  let table = tables.get(spec);
  if (!table) tables.set(spec, (table = tabulate(spec)));
  return table;
}

function tabulate(spec: NamespacesSpec): MappingNamespaces {
  const uris: Record<string, string> = {};
  const readAs = new Map<string, string>();
  const problems: { prefix: string; message: string }[] = [];
  const owner = new Map<string, string>();
  for (const [prefix, value] of Object.entries(spec)) {
    const list = typeof value === 'string' ? [value] : value;
    if (list.length === 0) continue;
    uris[prefix] = list[0]!;
    for (const [i, uri] of list.entries()) {
      const other = owner.get(uri);
      if (other !== undefined && other !== prefix) {
        problems.push({ prefix, message: `namespace URI "${uri}" is listed under "${other}" and "${prefix}"; a document's element in it can be read as only one of them` });
        continue;
      }
      owner.set(uri, prefix);
      if (i > 0 && uri !== list[0]) readAs.set(uri, list[0]!);
    }
  }
  return { uris, readAs, problems };
}
