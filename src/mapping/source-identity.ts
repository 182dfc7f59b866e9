/**
 * A source record's identity and instruction (`source.recordId`, `source.action`), compiled once.
 *
 * Input: the source record's root scope and the run context.
 * Output: `{ recordId, action }`: the source's own id of the record (trimmed text; with several paths,
 * their texts joined by `|`, a `|` or backslash inside a value escaped with a backslash, as natural keys
 * are; '' when the mapping names no `recordId` or the source left a part blank) and what the record asks
 * for: `upsert` (the default, also for an empty value), `replace` or `delete`. FAIL (reported in the run context, so the
 * source record is quarantined) when the value is none of `values`, a replace or delete has no id, or
 * (`source.agency`, a connector without allowOtherAgencies) a replace or delete is of another agency.
 * A CSV header without the recordId or action column fails the whole file (as a required field's
 * missing column does): otherwise every delete of the file would silently become an upsert.
 */
import { accessor, MappingCompileError, type CompileContext } from './compile.ts';
import { columnIndex, nodeValue } from './paths.ts';
import { FAIL, valueTrace, type Fail, type RunContext, type Scope } from './runtime.ts';
import type { SourceAction, SourceSpec } from './spec.ts';

export interface SourceIdentity {
  readonly recordId: string;
  readonly action: SourceAction;
}

export type SourceIdentityFn = (root: Scope, run: RunContext) => SourceIdentity | Fail;

/** How source values read when the mapping gives no `values`. */
export const DEFAULT_ACTION_VALUES: Readonly<Record<string, SourceAction>> = { insert: 'upsert', upsert: 'upsert', replace: 'replace', delete: 'delete' };

const UPSERT_ANONYMOUS: SourceIdentity = { recordId: '', action: 'upsert' };

function text(v: unknown): string {
  const n = nodeValue(v);
  return typeof n === 'string' ? n.trim() : typeof n === 'number' || typeof n === 'boolean' ? String(n) : '';
}

function requireColumn(ctx: CompileContext, column: string, field: string, path: (string | number)[]): void {
  if (ctx.paths.format !== 'csv') return;
  if (columnIndex(ctx.paths.header ?? [], column.startsWith('$/') ? column.slice(2) : column) === -1) {
    ctx.missingColumns.push({ column: [column], field, required: true, path });
  }
}

/** The identity function of a mapping's source records; null when the mapping declares neither key. */
export function compileSourceIdentity(source: SourceSpec, ctx: CompileContext): SourceIdentityFn | null {
  if (source.recordId === undefined && source.action === undefined) return null;
  if (source.action !== undefined && source.recordId === undefined) {
    throw new MappingCompileError(['source', 'action'], 'source.action needs source.recordId: a replace or delete names the source record it replaces or withdraws by its id');
  }
  if (source.agency !== undefined && source.action === undefined) {
    throw new MappingCompileError(['source', 'agency'], 'source.agency needs source.action: it is checked on the replaces and deletes source.action reads');
  }
  const idPaths = typeof source.recordId === 'string' ? [source.recordId] : source.recordId!;
  const idPath = idPaths.join(', ');
  const idAccs = idPaths.map((p, i) => {
    const at = typeof source.recordId === 'string' ? ['source', 'recordId'] : ['source', 'recordId', i];
    requireColumn(ctx, p, 'source.recordId', at);
    return accessor(ctx, p, at);
  });
  const readId = (root: Scope): string => {
    let id = '';
    for (let i = 0; i < idAccs.length; i++) {
      const part = text(idAccs[i]!.one(root));
      if (part === '') return '';
      id += (i ? '|' : '') + (idAccs.length > 1 ? part.replace(/[|\\]/g, '\\$&') : part);
    }
    return id;
  };
  const idSite = { field: 'source.recordId', source: idAccs[0]!.source };
  if (source.action === undefined) {
    return (root) => {
      const recordId = readId(root);
      return recordId ? { recordId, action: 'upsert' } : UPSERT_ANONYMOUS;
    };
  }
  const actionPath = source.action.from;
  requireColumn(ctx, actionPath, 'source.action', ['source', 'action', 'from']);
  const actionAcc = accessor(ctx, actionPath, ['source', 'action', 'from']);
  const actionSite = { field: 'source.action', source: actionAcc.source };
  // The source record's agency: a replace or delete of another agency's report names it by an id
  // (an incident number) the connector's own agency may use too, and would withdraw what that one published.
  const agencyAcc = source.agency === undefined ? null : accessor(ctx, source.agency, ['source', 'agency']);
  if (source.agency !== undefined) requireColumn(ctx, source.agency, 'source.agency', ['source', 'agency']);
  const agencySite = agencyAcc ? { field: 'source.agency', source: agencyAcc.source } : null;
  const table = source.action.values ?? DEFAULT_ACTION_VALUES;
  const exact = new Map(Object.entries(table));
  const folded = new Map(Object.entries(table).map(([k, v]) => [k.trim().toUpperCase(), v]));
  const known = Object.keys(table).map((k) => `"${k}"`).join(', ');
  return (root, run) => {
    valueTrace.last = null;
    const recordId = readId(root);
    valueTrace.last = null;
    const raw = text(actionAcc.one(root));
    let action: SourceAction = 'upsert';
    if (raw !== '') {
      const found = exact.get(raw) ?? folded.get(raw.toUpperCase());
      if (found === undefined) {
        run.scope = root;
        // A short excerpt: an instruction is a word, anything longer is not one.
        return run.fail('HUB_ERR_RECORD_ACTION', { value: raw.length > 40 ? `${raw.slice(0, 40)}...` : raw, path: actionPath, known }, actionSite);
      }
      action = found;
    }
    if (action !== 'upsert' && recordId === '') {
      valueTrace.last = null;
      run.scope = root;
      return run.fail('HUB_ERR_RECORD_SOURCE_ID', { action, path: idPath }, idSite);
    }
    if (action !== 'upsert' && agencyAcc && run.checkAgency) {
      valueTrace.last = null;
      const ori = text(agencyAcc.one(root)).toUpperCase();
      if (ori !== '' && ori !== run.agency?.ori) {
        run.scope = root;
        return run.fail('HUB_ERR_RECORD_SOURCE_AGENCY', { action, ori: ori.length > 40 ? `${ori.slice(0, 40)}...` : ori, path: source.agency!, agency: run.agency?.ori ?? '(none)' }, agencySite!);
      }
    }
    return recordId || action !== 'upsert' ? { recordId, action } : UPSERT_ANONYMOUS;
  };
}
