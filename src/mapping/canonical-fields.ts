/**
 * The field names an inbound mapping writes, checked against the canonical schema of each record type
 * (schemas/canonical/), so `cgic validate` finds `modle:` for `model:` where it is written, instead of
 * every row failing at map time with HUB_ERR_RECORD_SCHEMA.
 *
 * Input: the parsed mapping (checked only as far as its shape allows: this runs even when the mapping
 * breaks its own schema, so all problems are listed at once). Output: one finding per unknown name, with
 * its path in the mapping file (for file:line:col), the names allowed there and the closest of them.
 * A name is checked level by level: `serial.raw` and `serial: { fields: { raw } }` both look up `raw`
 * among the properties of `serial`; below a list (`forEach` with `fields`) among its items' properties.
 * Where the schema does not list properties (a free object), nothing below is checked.
 */
import { allSchemaFiles, isEntityType, entitySchema } from '../canonical/schemas.ts';
import { closest } from '../config/problems.ts';

export interface UnknownField {
  /** Path of the offending key in the mapping file (records/0/fields/modle). */
  path: (string | number)[];
  /** The record type and the dotted field as written (Firearm, modle). */
  type: string;
  field: string;
  /** The name not found, and the names the schema has at that level. */
  name: string;
  allowed: string[];
  suggestion?: string;
}

type SchemaNode = Readonly<Record<string, unknown>>;
interface At {
  node: SchemaNode;
  file: string;
}

const byFile = new Map(allSchemaFiles().map((f) => [f.file, f.schema]));

/** Follow `$ref` (same file or `other.schema.json#/...`) until a node without one. */
function deref(at: At): At {
  let cur = at;
  for (let i = 0; i < 16; i++) {
    const ref = cur.node.$ref;
    if (typeof ref !== 'string') return cur;
    const [filePart, frag] = ref.split('#');
    const file = filePart ? filePart : cur.file;
    let n: unknown = byFile.get(file);
    for (const seg of (frag ?? '').split('/').filter(Boolean)) n = (n as Record<string, unknown> | undefined)?.[seg];
    if (!n || typeof n !== 'object') return cur;
    cur = { node: n as SchemaNode, file };
  }
  return cur;
}

/** A node's properties, with those of its `allOf` parts; null when it lists none (not checked). */
function propertiesOf(at: At): Map<string, At> | null {
  const d = deref(at);
  const out = new Map<string, At>();
  let listed = false;
  const add = (x: At): void => {
    const y = deref(x);
    const props = y.node.properties as Record<string, SchemaNode> | undefined;
    if (props) {
      listed = true;
      for (const [k, v] of Object.entries(props)) if (!out.has(k)) out.set(k, { node: v, file: y.file });
    }
    for (const part of (y.node.allOf as SchemaNode[] | undefined) ?? []) add({ node: part, file: y.file });
  };
  add(d);
  if (!listed) return null;
  return out;
}

/** The node an array's items have, or the node itself when it is not an array. */
function itemsOf(at: At): At {
  const d = deref(at);
  const items = d.node.items as SchemaNode | undefined;
  return items && typeof items === 'object' ? deref({ node: items, file: d.file }) : d;
}

function schemaFileOf(type: string): string | undefined {
  if (!isEntityType(type)) return undefined;
  const id = entitySchema(type).$id as string;
  return id.slice(id.lastIndexOf('/') + 1);
}

/** Unknown field names of every record of an inbound mapping (an outbound mapping writes no canonical record). */
export function unknownCanonicalFields(spec: unknown): UnknownField[] {
  const out: UnknownField[] = [];
  const s = spec as { direction?: unknown; records?: unknown } | null;
  if (!s || typeof s !== 'object' || s.direction !== 'inbound' || !Array.isArray(s.records)) return out;
  s.records.forEach((rec: unknown, i: number) => {
    const r = rec as { type?: unknown; fields?: unknown } | null;
    if (!r || typeof r !== 'object' || typeof r.type !== 'string') return;
    const file = schemaFileOf(r.type);
    if (!file) return; // an unknown type is the mapping schema's to report
    checkFields(r.fields, { node: byFile.get(file)!, file }, ['records', i, 'fields'], r.type, '', out);
  });
  return out;
}

function checkFields(fields: unknown, at: At, path: (string | number)[], type: string, prefix: string, out: UnknownField[]): void {
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return;
  for (const [name, spec] of Object.entries(fields as Record<string, unknown>)) {
    let here: At | null = at;
    const parts = name.split('.');
    for (const part of parts) {
      const props = propertiesOf(here!);
      if (props === null) {
        here = null;
        break;
      }
      const next = props.get(part);
      if (!next) {
        const allowed = [...props.keys()].filter((k) => !['type', 'id', 'key', 'version', 'sourceRefs', 'createdAt', 'updatedAt'].includes(k));
        const suggestion = closest(part, allowed);
        out.push({ path: [...path, name], type, field: prefix + name, name: part, allowed, ...(suggestion ? { suggestion } : {}) });
        here = null;
        break;
      }
      here = next;
    }
    if (here === null) continue;
    const sub = spec && typeof spec === 'object' ? (spec as { fields?: unknown; forEach?: unknown }) : null;
    if (sub?.fields !== undefined) {
      const target = sub.forEach !== undefined ? itemsOf(here) : here;
      checkFields(sub.fields, target, [...path, name, 'fields'], type, `${prefix}${name}.`, out);
    }
  }
}
