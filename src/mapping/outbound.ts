/**
 * An outbound mapping, compiled: a canonical document (a lead package) in, an agency's format out.
 *
 * Input: the document (plain JSON) and a `RunContext` (the recipient's time zone).
 * Output: the text to deliver (CSV, JSON, NDJSON or namespaced XML) and its media type, or the errors
 * (e.g. a required value missing) that stop this document from being sent in this format.
 * Field paths are JSON paths into the document; `forEach` makes one CSV row / NDJSON line per element.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { ErrorReport } from '../errors/hub-error.ts';
import { writeCsv } from '../formats/csv-writer.ts';
import { accessor, collecting, compileFields, MappingCompileError, newCompileContext, throwProblems, type CompiledField } from './compile.ts';
import type { CompileEnv } from './ops/index.ts';
import type { Accessor } from './paths.ts';
import { FAIL, type RunContext, type Scope } from './runtime.ts';
import type { MappingSpec } from './spec.ts';
import { mappingNamespaces } from './namespaces.ts';

export interface Rendered {
  body: string;
  mediaType: string;
  errors: ErrorReport[];
}

const MEDIA: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  xml: 'application/xml; charset=utf-8',
};

export class OutboundMapping {
  readonly id: string;
  readonly version: number;
  readonly label: string;
  readonly format: 'csv' | 'json' | 'ndjson' | 'xml';
  private readonly fields: CompiledField[];
  private readonly each: Accessor | null;
  private readonly builder: XMLBuilder | null = null;

  constructor(
    readonly spec: MappingSpec,
    env: CompileEnv,
  ) {
    const out = spec.output!;
    this.id = spec.id;
    this.version = spec.version;
    this.label = `${spec.id}@${spec.version}`;
    this.format = out.format;
    const namespaces = mappingNamespaces(spec.namespaces).uris;
    const ctx = newCompileContext(env, { format: 'json', namespaces });
    ctx.contextAllowed = false;
    // CSV headers and XML names are used as written: no dotted nesting.
    this.fields = compileFields(out.fields, ctx, ['output', 'fields'], false);
    this.each = out.forEach ? collecting(ctx, null, () => accessor(ctx, out.forEach!, ['output', 'forEach'])) : null;
    if (out.format === 'xml') {
      const problem = (path: (string | number)[], message: string): void => void ctx.problems.push(new MappingCompileError(path, message));
      if (out.forEach) problem(['output', 'forEach'], 'an XML output is one document: repeat elements with forEach inside fields instead');
      if (!out.xml?.root) problem(['output'], 'an XML output needs xml.root');
      const prefix = out.xml?.root.includes(':') ? out.xml.root.split(':')[0]! : '';
      if (prefix && namespaces[prefix] === undefined) problem(['output', 'xml', 'root'], `namespace prefix "${prefix}" of the root is not declared in namespaces`);
      for (const name of collectNames(out.fields)) {
        const p = name.replace(/^@/, '').split(':');
        if (p.length === 2 && namespaces[p[0]!] === undefined && p[0] !== 'xml') problem(['output', 'fields'], `namespace prefix "${p[0]}" of ${name} is not declared in namespaces`);
      }
    }
    throwProblems(ctx);
    if (out.format === 'xml') {
      this.builder = new XMLBuilder({
        ignoreAttributes: false,
        attributeNamePrefix: '@',
        format: out.xml!.indent !== false,
        indentBy: '  ',
        suppressEmptyNode: true,
        processEntities: true,
        tagValueProcessor: (_name: string, v: unknown) => xmlText(v),
        attributeValueProcessor: (_name: string, v: unknown) => xmlText(v),
      });
    }
  }

  render(doc: unknown, run: RunContext): Rendered {
    run.reset({});
    run.format = 'json';
    const root: Scope = { node: doc, parent: null };
    const scopes = this.each ? this.each.scopes(root) : [root];
    const objects: Record<string, unknown>[] = [];
    for (const scope of scopes) {
      const o: Record<string, unknown> = {};
      for (const f of this.fields) {
        const v = f.fn(scope, run);
        if (v !== FAIL && v !== undefined) f.set(o, v);
      }
      objects.push(o);
    }
    const mediaType = MEDIA[this.format]!;
    if (run.errors.length) return { body: '', mediaType, errors: run.errors };
    const out = this.spec.output!;
    let body: string;
    switch (this.format) {
      case 'csv': {
        const names = Object.keys(out.fields);
        body = writeCsv(out.csv?.header === false ? null : names, objects.map((o) => names.map((n) => o[n])), out.csv);
        break;
      }
      case 'json':
        body = JSON.stringify(this.each ? objects : objects[0], null, 2) + '\n';
        break;
      case 'ndjson':
        body = objects.map((o) => JSON.stringify(o) + '\n').join('');
        break;
      case 'xml': {
        const xmlns: Record<string, string> = {};
        for (const [p, uri] of Object.entries(mappingNamespaces(this.spec.namespaces).uris)) xmlns[p ? `@xmlns:${p}` : '@xmlns'] = uri;
        const content = objects[0];
        const decl = out.xml!.declaration === false ? '' : '<?xml version="1.0" encoding="UTF-8"?>\n';
        body = decl + this.builder!.build({ [out.xml!.root]: { ...xmlns, ...content } });
        break;
      }
    }
    return { body, mediaType, errors: [] };
  }
}

// What XML 1.0 cannot hold: control characters other than tab, LF and CR, unpaired surrogates, U+FFFE
// and U+FFFF. A source's text can carry them (a lab export with an escape sequence in a town).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Text as an XML document can hold it: each character XML 1.0 has no place for becomes U+FFFD. */
function xmlText(v: unknown): unknown {
  return typeof v === 'string' ? v.replace(NOT_XML_CHAR, '\ufffd') : v;
}

function collectNames(fields: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    out.push(k);
    if (v && typeof v === 'object' && 'fields' in v) out.push(...collectNames((v as { fields: Record<string, unknown> }).fields));
  }
  return out;
}
