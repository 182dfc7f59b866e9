/**
 * An inbound mapping, compiled: source records in, canonical records out.
 *
 * Input: one `SourceRecord` (a CSV row, an XML record element, a JSON value) and a `RunContext`.
 * Output: the canonical records it produces, each with its envelope (type, id, key, classification,
 * version, provenance) and validated against the canonical schema; or the errors that make the source
 * record invalid. A source record is the unit of quarantine: if any of its records fails, none of them
 * is passed on, so an item is never stored without its firearm.
 *
 * XML and JSON mappings compile once; CSV mappings compile once per header (column names -> indexes).
 */
import { naturalKey, recordId } from '../canonical/keys.ts';
import { validateRecord } from '../canonical/validator.ts';
import type { ErrorReport } from '../errors/hub-error.ts';
import type { SourcePointer } from '../formats/source-pointer.ts';
import { recordPointer, type SourceRecord } from '../formats/source-record.ts';
import { accessor, collecting, compileCondition, compileFields, MappingCompileError, newCompileContext, throwProblems, type CompiledField } from './compile.ts';
import type { CompileEnv } from './ops/index.ts';
import { xmlIds, type Accessor, type Format } from './paths.ts';
import { FAIL, valueTrace, type FieldSite, type RunContext, type Scope } from './runtime.ts';
import type { MappingSpec } from './spec.ts';
import { mappingNamespaces } from './namespaces.ts';
import { compileLayout, LayoutErrors, type FixedWidthLayout, type FixedWidthSpec } from '../formats/fixed-width-reader.ts';
import { textEncodingExists } from '../formats/encoding-names.ts';
import { compileSourceIdentity, type SourceIdentity, type SourceIdentityFn } from './source-identity.ts';

/** A canonical record as the mapping produces it (fields typed by the schemas in src/canonical). */
export interface MappedRecord {
  type: string;
  id: string;
  key: string;
  classification: string;
  version: number;
  sourceRefs: SourceRef[];
  [field: string]: unknown;
}

export interface SourceRef {
  system: string;
  /** The source's own id of the source record (source.recordId), when the mapping names one. */
  recordId?: string;
  mapping: string;
  file?: string;
  pointer?: SourcePointer;
  receivedAt: string;
  payloadHash?: string;
}

/** What one source record became. `errors` non-empty: the record is invalid and `records` is empty. */
export interface MappedSource {
  records: MappedRecord[];
  errors: ErrorReport[];
  warnings: ErrorReport[];
  /** The source record's id and instruction, when the mapping declares source.recordId. */
  identity?: SourceIdentity;
}

export type RecordMapper = (source: SourceRecord, run: RunContext, receivedAt: string) => MappedSource;

/** A column the mapping names that the file's header lacks. Fatal for the file when the field is required. */
export interface MissingColumn {
  column: string[];
  field: string;
  required: boolean;
  path: (string | number)[];
}

/** A mapping compiled for one header (CSV) or for any record (XML, JSON). */
export interface BoundMapper {
  header: readonly string[] | undefined;
  mapper: RecordMapper;
  missing: MissingColumn[];
  /** CSV: the columns the mapping reads, as it spells them -> as the header does (see CompileContext.columns). */
  columns: ReadonlyMap<string, string>;
}

interface CompiledRecordSpec {
  type: string;
  when: ((s: Scope) => boolean) | null;
  each: Accessor | null;
  fields: CompiledField[];
  checks: CompiledField[];
  sourceOf: Map<string, FieldSite>;
  lastKey: string;
  lastId: string;
}

export class InboundMapping {
  readonly id: string;
  readonly version: number;
  readonly format: Format;
  readonly system: string;
  readonly label: string;
  private cached: BoundMapper | null = null;
  /** A fixed-width source's layout, compiled once with the mapping (src/formats/fixed-width-reader.ts). */
  readonly layout: FixedWidthLayout | undefined;
  /** What is wrong with `source` itself (its layout, its encoding): reported with the first compile's problems. */
  private readonly sourceProblems: MappingCompileError[] = [];
  /** A field reads `{ context: ... }`: runs need the connector's agency (MapOptions.agency). */
  readsContext = false;
  private ids: ReturnType<typeof xmlIds> | undefined;

  constructor(
    readonly spec: MappingSpec,
    private readonly env: CompileEnv,
  ) {
    this.id = spec.id;
    this.version = spec.version;
    const f = spec.source!.format;
    // NDJSON and fixed-width records are read as JSON values (json-reader.ts, fixed-width-reader.ts).
    this.format = f === 'ndjson' || f === 'fixed-width' ? 'json' : f;
    this.system = spec.system ?? spec.id;
    this.label = `${spec.id}@${spec.version}`;
    const src = spec.source!;
    if (src.fixedWidth) this.layout = fixedWidthLayout(src.fixedWidth, this.sourceProblems);
    // Found at load (`cgic validate`), not at the first file, which it would refuse whole.
    if (src.encoding !== undefined && !textEncodingExists(src.encoding)) {
      this.sourceProblems.push(new MappingCompileError(['source', 'encoding'], `"${src.encoding}" is not a text encoding the hub can read: write utf-8, windows-1252, latin1, utf-16le or another name iconv-lite knows`));
    }
    // Compile now so every mapping error shows at load (`cgic validate`); a CSV mapping is compiled
    // against an empty header here, and again per file against the file's header.
    this.bind(this.format === 'csv' ? [] : undefined);
  }

  /** The record mapper for a file (CSV: for its header), compiled on first use and reused. */
  bind(header: readonly string[] | undefined): BoundMapper {
    if (this.cached && sameHeader(this.cached.header, header)) return this.cached;
    const namespaces = mappingNamespaces(this.spec.namespaces).uris;
    const ids = this.format === 'xml' ? (this.ids ??= xmlIdsOf(this.spec)) : undefined;
    const ctx = newCompileContext(this.env, { format: this.format, namespaces, header, ids });
    const specs: CompiledRecordSpec[] = (this.spec.records ?? []).map((r, i) => {
      const path = ['records', i];
      const fields = compileFields(r.fields, ctx, [...path, 'fields'], true);
      const checks = r.checks ? compileFields(r.checks, ctx, [...path, 'checks'], true) : [];
      const sourceOf = new Map<string, FieldSite>();
      for (const f of fields) if (!sourceOf.has(f.name.split('.')[0]!)) sourceOf.set(f.name.split('.')[0]!, f.site);
      let each: CompiledRecordSpec['each'] = null;
      if (r.forEach !== undefined) {
        each = collecting(ctx, null, () => {
          if (this.format === 'csv') throw new MappingCompileError([...path, 'forEach'], 'forEach needs an XML or JSON source: a CSV row has no repeated elements');
          return accessor(ctx, r.forEach!, [...path, 'forEach']);
        });
      }
      return {
        type: r.type,
        when: r.when ? collecting(ctx, null, () => compileCondition(r.when!, ctx, [...path, 'when'])) : null,
        each,
        fields,
        checks,
        sourceOf,
        lastKey: '',
        lastId: '',
      };
    });
    const identity = collecting(ctx, null, () => compileSourceIdentity(this.spec.source!, ctx));
    // Only the first compile (the constructor's) can meet them: a mapping with any never loads.
    ctx.problems.push(...this.sourceProblems);
    throwProblems(ctx);
    this.readsContext = ctx.readsContext;
    const mapper = this.makeMapper(specs, identity);
    this.cached = { header, mapper, missing: ctx.missingColumns, columns: ctx.columns };
    return this.cached;
  }

  private makeMapper(specs: CompiledRecordSpec[], identify: SourceIdentityFn | null): RecordMapper {
    const classification = this.spec.classification ?? 'cji';
    const system = this.system;
    const label = this.label;
    return (source, run, receivedAt) => {
      const base = recordPointer(source, run.file);
      run.reset(base, source.format === 'json' ? source.lines : undefined);
      run.format = this.format;
      const root: Scope = { node: nodeOf(source), parent: null };
      const records: MappedRecord[] = [];
      let identity: SourceIdentity | undefined;
      if (identify) {
        const found = identify(root, run);
        if (found === FAIL) return { records: [], errors: run.errors, warnings: run.warnings };
        identity = found;
        // A delete withdraws what the source record published: it produces no records (docs/corrections.md).
        if (identity.action === 'delete') return { records: [], errors: run.errors, warnings: run.warnings, identity };
      }
      run.recordsTried++;
      const ref: SourceRef = { system, ...(identity?.recordId ? { recordId: identity.recordId } : {}), mapping: label, ...(base.file ? { file: base.file } : {}), pointer: base, receivedAt };
      for (const [index, spec] of specs.entries()) {
        // Without forEach, `when` decides on the source record; with forEach, on each element.
        if (spec.each === null && spec.when !== null && !spec.when(root)) continue;
        const scopes: Scope[] = spec.each ? spec.each.scopes(root) : [root];
        if (spec.each !== null) run.forEachMatched.set(index, (run.forEachMatched.get(index) ?? 0) + scopes.length);
        for (const scope of scopes) {
          if (spec.each !== null && spec.when !== null && !spec.when(scope)) continue;
          // A record of a forEach points at its own element; the others at the source record.
          const own = spec.each === null ? ref : { ...ref, pointer: run.scopePointer(scope) };
          const rec: MappedRecord = { type: spec.type, id: '', key: '', classification, version: 1, sourceRefs: [own] };
          let failed = false;
          for (const f of spec.checks) if (f.fn(scope, run) === FAIL) failed = true;
          for (const f of spec.fields) {
            const v = f.fn(scope, run);
            if (v === FAIL) failed = true;
            else if (v !== undefined) f.set(rec, v);
          }
          if (failed) continue;
          // Errors below concern the record as a whole: point from its scope, not the last value read.
          valueTrace.last = null;
          run.scope = scope;
          const k = naturalKey(rec);
          if (!k.ok) {
            run.fail('HUB_ERR_RECORD_KEY', { type: spec.type, needs: k.needs.join(' + ') }, siteOf(spec, k.needs[0]!));
            continue;
          }
          rec.key = k.key;
          // Rows of one case repeat its Case and LabCase: the id of the last key is kept.
          if (k.key !== spec.lastKey) {
            spec.lastKey = k.key;
            spec.lastId = recordId(spec.type, k.key);
          }
          rec.id = spec.lastId;
          const issues = validateRecord(rec);
          if (issues.length) {
            for (const issue of issues) {
              const top = issue.pointer.split('/')[1] ?? '';
              run.fail(
                'HUB_ERR_RECORD_SCHEMA',
                { type: spec.type, pointer: issue.pointer || '/', reason: issue.reason },
                siteOf(spec, top),
              );
            }
            continue;
          }
          // A connector brings its own agency's records, unless it allows others (a lab's feed).
          if (run.checkAgency && typeof rec.agencyOri === 'string' && rec.agencyOri !== run.agency?.ori) {
            run.fail('HUB_ERR_RECORD_AGENCY', { type: spec.type, ori: rec.agencyOri, agency: run.agency?.ori ?? '(none)' }, siteOf(spec, 'agencyOri'));
            continue;
          }
          records.push(rec);
        }
      }
      if (run.errors.length) return { records: [], errors: run.errors, warnings: run.warnings };
      return identity ? { records, errors: run.errors, warnings: run.warnings, identity } : { records, errors: run.errors, warnings: run.warnings };
    };
  }
}

/** The site of the field that wrote a record's top-level `field`, for errors about the whole record. */
function siteOf(spec: CompiledRecordSpec, field: string): FieldSite {
  const site = spec.sourceOf.get(field.split('.')[0]!);
  return { field, source: site?.source, at: site?.at ?? null };
}

function xmlIdsOf(spec: MappingSpec): ReturnType<typeof xmlIds> {
  try {
    return xmlIds(spec.source?.xml?.ids, mappingNamespaces(spec.namespaces).uris);
  } catch (err) {
    throw new MappingCompileError(['source', 'xml', 'ids'], (err as Error).message);
  }
}

function sameHeader(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function nodeOf(s: SourceRecord): unknown {
  return s.format === 'csv' ? s.values : s.format === 'xml' ? s.element : s.value;
}

/** A fixed-width layout; its mistakes are noted as compile problems, located in the mapping. */
function fixedWidthLayout(spec: FixedWidthSpec, problems: MappingCompileError[]): FixedWidthLayout | undefined {
  try {
    return compileLayout(spec);
  } catch (err) {
    if (!(err instanceof LayoutErrors)) throw err;
    for (const e of err.errors) problems.push(new MappingCompileError(e.path, e.message));
    return undefined;
  }
}
