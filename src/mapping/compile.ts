/**
 * Compiles a validated mapping specification into plain functions, once: paths resolved (CSV columns
 * to indexes, XML names to namespace URIs), operations instantiated with their arguments (regexes,
 * date matchers, code-table indexes), field setters pre-split. The functions then run per record with
 * no interpretation of the mapping left.
 *
 * Compile-time problems throw `MappingCompileError` with the path inside the mapping file, so the
 * loader can say file:line:col.
 */
import { OPERATIONS_BY_NAME, type CompileEnv, type OpFn } from './ops/index.ts';
import { FAIL, isEmpty, MISS, ValueMemo, valueTrace, type FieldSite, type RunContext, type Scope } from './runtime.ts';
import { columnIndex, compilePath, nodeValue, PathError, type Accessor, type PathEnv } from './paths.ts';
import type { MappingSpec, FieldSpecInput, FieldSpecObject, ConditionSpec, OpSpec } from './spec.ts';
import { ignoringCaseMatters } from '../runtime/regexp-guard.ts';

/**
 * The flags a `matches` condition runs with. One that ignores case (the default) tests the upper-cased
 * value, and leaves flag i out where it changes nothing there, so the pattern stays guarded.
 */
export function matchesFlags(pattern: string, ignoreCase: boolean | undefined): string {
  return ignoreCase !== false && ignoringCaseMatters(pattern) ? 'i' : '';
}

export class MappingCompileError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'MappingCompileError';
  }
}

/**
 * Every compile problem of a mapping, found in one pass: each field, condition and path is compiled on
 * its own, and one that fails is noted (CompileContext.problems) while the others go on being compiled.
 */
export class MappingCompileErrors extends Error {
  constructor(readonly errors: readonly MappingCompileError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'MappingCompileErrors';
  }
}

/**
 * Run one compile step; a MappingCompileError it throws is noted in `ctx.problems` and `fallback` is
 * returned, so the rest of the mapping is still compiled and checked.
 */
export function collecting<T>(ctx: Ctx, fallback: T, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof MappingCompileError)) throw err;
    ctx.problems.push(err);
    return fallback;
  }
}

/** Throws every problem noted while compiling, if there was one. */
export function throwProblems(ctx: Ctx): void {
  if (ctx.problems.length) throw new MappingCompileErrors(ctx.problems.splice(0));
}

/** A compiled field: evaluates to a value, undefined (empty) or FAIL (reported). */
export type FieldFn = (scope: Scope, run: RunContext) => unknown;

export interface CompiledField {
  readonly name: string;
  readonly fn: FieldFn;
  readonly set: (target: Record<string, unknown>, value: unknown) => void;
  /** Where the value came from, for pointers in later errors (schema validation); updated as alternates are tried. */
  readonly site: FieldSite;
}

interface Ctx {
  readonly env: CompileEnv;
  readonly paths: PathEnv;
  /** Columns named by the mapping but absent from a CSV header, with whether the field is required. */
  readonly missingColumns: { column: string[]; field: string; required: boolean; path: (string | number)[] }[];
  /** CSV: every column a path of the mapping names (as the mapping spells it) -> as the header spells it, or as the mapping does when absent. */
  readonly columns: Map<string, string>;
  /** Problems found so far (see `collecting`): all are reported together. */
  readonly problems: MappingCompileError[];
  /** Whether fields may read the run's context (`{ context: agency.ori }`): inbound mappings only. */
  contextAllowed: boolean;
  /** Set when a field reads the context: the run needs the connector's agency. */
  readsContext: boolean;
}

function at<T>(path: (string | number)[], f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof MappingCompileError) throw err;
    throw new MappingCompileError(path, (err as Error).message);
  }
}

export function accessor(ctx: Ctx, p: string, path: (string | number)[]): Accessor {
  try {
    const acc = compilePath(p, ctx.paths);
    if (ctx.paths.format === 'csv') ctx.columns.set(p.startsWith('$/') ? p.slice(2) : p, acc.source);
    return acc;
  } catch (err) {
    if (err instanceof PathError) throw new MappingCompileError(path, err.message);
    throw err;
  }
}

export function compileOps(ops: readonly OpSpec[] | undefined, env: CompileEnv, path: (string | number)[]): OpFn[] {
  return (ops ?? []).map((op, i) => {
    const [name, args] = typeof op === 'string' ? [op, undefined] : (Object.entries(op)[0] as [string, unknown]);
    const def = OPERATIONS_BY_NAME.get(name);
    if (!def) throw new MappingCompileError([...path, 'ops', i], `unknown operation "${name}"`);
    const fn = at([...path, 'ops', i, name], () => def.compile(args ?? undefined, env));
    if (!def.elementwise) return fn;
    return (v, run, site) => {
      if (!Array.isArray(v)) return fn(v, run, site);
      const out: unknown[] = [];
      for (const x of v) {
        if (isEmpty(x)) continue;
        const r = fn(x, run, site);
        if (r === FAIL) return FAIL;
        if (!isEmpty(r)) out.push(r);
      }
      return out;
    };
  });
}

const roundedInteger = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && !Number.isSafeInteger(x);

/** What a JSON value holds that a field's operations must not be given, or null when they may read it. */
function notText(v: unknown): string | null {
  if (v === null || typeof v !== 'object') return null;
  if (!Array.isArray(v)) return 'an object';
  for (const x of v) {
    if (Array.isArray(x)) return 'a list inside a list';
    if (x !== null && typeof x === 'object') return 'a list holding an object';
  }
  return null;
}

/**
 * A JSON source's value as the field's operations may read it. Refused: a whole number past 2^53, which
 * JSON.parse has already rounded (240000000000000417 reads as 240000000000000420: an identifier stored
 * with other digits than the sender's is worse than a refused row); and, when the field has operations,
 * an object or a list of objects or lists. Operations read text and pass on what is not text, so an
 * object where the mapping reads text (a JSON source sending {"code": ..., "text": ...} for a caliber)
 * would reach the record as the source wrote it, past the code tables, whatever operation came first.
 */
function fromJson(v: unknown, run: RunContext, site: FieldSite, hasOps: boolean): unknown {
  if (roundedInteger(v) || (Array.isArray(v) && v.some(roundedInteger))) return run.fail('HUB_ERR_RECORD_NUMBER_PRECISION', {}, site);
  const kind = hasOps ? notText(v) : null;
  return kind === null ? v : run.fail('HUB_ERR_RECORD_NOT_TEXT', { kind }, site);
}

export function compileCondition(c: ConditionSpec, ctx: Ctx, path: (string | number)[]): (scope: Scope) => boolean {
  if (c.not) {
    const inner = compileCondition(c.not, ctx, [...path, 'not']);
    return (s) => !inner(s);
  }
  if (c.all) {
    const parts = c.all.map((x, i) => compileCondition(x, ctx, [...path, 'all', i]));
    return (s) => parts.every((p) => p(s));
  }
  if (c.any) {
    const parts = c.any.map((x, i) => compileCondition(x, ctx, [...path, 'any', i]));
    return (s) => parts.some((p) => p(s));
  }
  if (c.field === undefined) throw new MappingCompileError(path, 'a condition needs `field` (or not / all / any)');
  const acc = accessor(ctx, c.field, [...path, 'field']);
  const ic = c.ignoreCase !== false;
  const norm = (v: unknown): string => {
    const s = v === undefined || v === null ? '' : String(nodeValue(v)).trim();
    return ic ? s.toUpperCase() : s;
  };
  // A test on a value: the answer for the last text seen is kept, since consecutive rows repeat values.
  const onText = (test: (normalized: string) => boolean): ((s: Scope) => boolean) => {
    let lastText: string | null = null;
    let lastAnswer = false;
    return (s) => {
      const raw = acc.one(s);
      if (typeof raw !== 'string') return test(norm(raw));
      if (raw !== lastText) {
        lastAnswer = test(norm(raw));
        lastText = raw;
      }
      return lastAnswer;
    };
  };
  if (c.equals !== undefined) {
    const want = norm(c.equals);
    return onText((v) => v === want);
  }
  if (c.in !== undefined) {
    const set = new Set(c.in.map(norm));
    return onText((v) => set.has(v));
  }
  if (c.matches !== undefined) {
    const re = at([...path, 'matches'], () => new RegExp(c.matches!, matchesFlags(c.matches!, c.ignoreCase)));
    return onText((v) => re.test(v));
  }
  const present = c.present !== false;
  if (acc.exists) {
    const exists = acc.exists.bind(acc);
    return (s) => exists(s) === present;
  }
  return (s) => isEmpty(nodeValue(acc.one(s))) !== present;
}

/** Setter for a dotted output path, split once. */
function setterFor(name: string, split: boolean): (t: Record<string, unknown>, v: unknown) => void {
  const parts = split ? name.split('.') : [name];
  if (parts.length === 1) return (t, v) => void (t[name] = v);
  const lastKey = parts[parts.length - 1]!;
  const heads = parts.slice(0, -1);
  return (t, v) => {
    let o = t;
    for (const p of heads) {
      let n = o[p] as Record<string, unknown> | undefined;
      if (n === undefined || n === null || typeof n !== 'object') o[p] = n = {};
      o = n;
    }
    o[lastKey] = v;
  };
}

export function compileFields(
  fields: Record<string, FieldSpecInput>,
  ctx: Ctx,
  path: (string | number)[],
  dotted: boolean,
  prefix = '',
): CompiledField[] {
  return Object.entries(fields).map(([name, spec]) => {
    const full = prefix ? `${prefix}.${name}` : name;
    const { fn, site } = collecting(ctx, { fn: () => undefined, site: { field: full, source: undefined } }, () => compileField(spec, ctx, [...path, name], full, dotted));
    return { name, fn, set: setterFor(name, dotted), site };
  });
}

function compileField(
  input: FieldSpecInput,
  ctx: Ctx,
  path: (string | number)[],
  fieldName: string,
  dotted: boolean,
): { fn: FieldFn; site: FieldSite } {
  const spec: FieldSpecObject = typeof input === 'string' ? { from: input } : input;
  const kinds = ['from', 'value', 'context', 'concat', 'firstOf', 'fields'].filter((k) => (spec as Record<string, unknown>)[k] !== undefined);
  if (kinds.length === 0 && spec.forEach === undefined) {
    throw new MappingCompileError(path, `field "${fieldName}" needs one of from, value, context, concat, firstOf, fields or forEach`);
  }
  if (kinds.length > 1) throw new MappingCompileError(path, `field "${fieldName}" has ${kinds.join(' and ')}: give only one`);
  const froms = spec.from === undefined ? [] : Array.isArray(spec.from) ? spec.from : [spec.from];
  const site: FieldSite = { field: fieldName, source: froms[0] ?? spec.forEach };
  const ops = compileOps(spec.ops, ctx.env, path);
  const required = spec.required === true;
  const warnIfEmpty = spec.warnIfEmpty === true;
  const hasDefault = spec.default !== undefined;
  const dflt = spec.default;
  const compiledWhen = spec.when ? compileCondition(spec.when, ctx, [...path, 'when']) : null;
  // With forEach (other than `.`), `when` is tested on each element, as on a record's forEach.
  const perElement = spec.forEach !== undefined && spec.forEach !== '.';
  const when = perElement ? null : compiledWhen;
  const keep = perElement ? compiledWhen : null;

  let get: (scope: Scope, run: RunContext) => unknown;
  if (froms.length) {
    if (ctx.paths.format === 'csv') {
      const header = ctx.paths.header ?? [];
      const present = froms.filter((f) => columnIndex(header, f.startsWith('$/') ? f.slice(2) : f) !== -1);
      if (present.length === 0) ctx.missingColumns.push({ column: froms, field: fieldName, required, path: [...path, typeof input === 'string' ? '' : 'from'].filter((x) => x !== '') });
    }
    const accs = froms.map((f, i) => accessor(ctx, f, [...path, 'from', ...(froms.length > 1 ? [i] : [])]));
    site.source = accs[0]!.source;
    if (accs.length === 1) {
      const a = accs[0]!;
      get = ctx.paths.format === 'json' ? (s, run) => fromJson(nodeValue(a.one(s)), run, site, ops.length > 0) : (s) => nodeValue(a.one(s));
    } else {
      // The first alternate with a value wins; errors then point at the column or path it came from.
      const present = accs.find((a) => ctx.paths.format !== 'csv' || columnIndex(ctx.paths.header ?? [], a.source) !== -1) ?? accs[0]!;
      get = (s, run) => {
        for (const a of accs) {
          const v = nodeValue(a.one(s));
          if (!isEmpty(v)) {
            site.source = a.source;
            return ctx.paths.format === 'json' ? fromJson(v, run, site, ops.length > 0) : v;
          }
        }
        site.source = present.source;
        return undefined;
      };
    }
  } else if (spec.value !== undefined) {
    const v = spec.value;
    get = () => v;
  } else if (spec.context !== undefined) {
    if (!ctx.contextAllowed) throw new MappingCompileError([...path, 'context'], `{ context: ${spec.context} } reads the connector's agency: it is for inbound mappings`);
    ctx.readsContext = true;
    const which = spec.context;
    get = which === 'agency.ori' ? (_s, run) => run.agency?.ori : (_s, run) => run.agency?.timeZone;
  } else if (spec.concat) {
    const parts = spec.concat.map((p, i) => compileField(p, ctx, [...path, 'concat', i], fieldName, dotted).fn);
    const sep = spec.separator ?? ' ';
    get = (s, run) => {
      const out: string[] = [];
      for (const p of parts) {
        const v = p(s, run);
        if (v === FAIL) return FAIL;
        if (!isEmpty(v)) out.push(String(v));
      }
      return out.length ? out.join(sep) : undefined;
    };
  } else if (spec.firstOf) {
    // Alternates with their own operations (an NCIC code looked up as a code, a name as text): the
    // first that gives a value wins, and later errors point where it came from.
    const parts = spec.firstOf.map((p, i) => compileField(p, ctx, [...path, 'firstOf', i], fieldName, dotted));
    get = (s, run) => {
      for (const p of parts) {
        const v = p.fn(s, run);
        if (v === FAIL) return FAIL;
        if (!isEmpty(v)) {
          site.source = p.site.source;
          return v;
        }
      }
      return undefined;
    };
  } else if (spec.fields) {
    const sub = compileFields(spec.fields, ctx, [...path, 'fields'], dotted, fieldName);
    const build = (s: Scope, run: RunContext): unknown => {
      const o: Record<string, unknown> = {};
      let any = false;
      let failed = false;
      for (const f of sub) {
        const v = f.fn(s, run);
        if (v === FAIL) failed = true;
        else if (!isEmpty(v)) {
          f.set(o, v);
          any = true;
        }
      }
      return failed ? FAIL : any ? o : undefined;
    };
    if (spec.forEach === '.') {
      // One element: the current record or element itself (how a CSV row builds a one-item list).
      get = (s, run) => {
        const v = build(s, run);
        return v === FAIL ? FAIL : v === undefined ? [] : [v];
      };
    } else if (spec.forEach !== undefined) {
      const each = accessor(ctx, spec.forEach, [...path, 'forEach']);
      get = (s, run) => {
        const out: unknown[] = [];
        let failed = false;
        for (const scope of each.scopes(s)) {
          if (keep !== null && !keep(scope)) continue;
          const v = build(scope, run);
          if (v === FAIL) failed = true;
          else if (v !== undefined) out.push(v);
        }
        return failed ? FAIL : out;
      };
    } else get = build;
  } else {
    const each = accessor(ctx, spec.forEach!, [...path, 'forEach']);
    get = keep === null ? (s) => each.all(s).map(nodeValue) : (s) => each.scopes(s).filter(keep).map((x) => nodeValue(x.node));
  }

  // One source value through operations: remember the results per input text (see ValueMemo).
  const memo = froms.length === 1 && ops.length > 0 ? new ValueMemo() : null;
  const fn: FieldFn = (scope, run) => {
    site.at = null;
    if (when !== null && !when(scope)) return undefined;
    run.scope = scope;
    valueTrace.last = null;
    const input = get(scope, run);
    site.at = valueTrace.last;
    if (memo !== null && typeof input === 'string') {
      const hit = memo.get(input, run);
      if (hit !== MISS) return hit;
      const effects = run.effects;
      const out = evaluate(input, run);
      memo.set(input, out, effects, run);
      return out;
    }
    return evaluate(input, run);
  };
  const evaluate = (input: unknown, run: RunContext): unknown => {
    let v = input;
    if (v === FAIL) return FAIL;
    if (!isEmpty(v)) {
      for (let i = 0; i < ops.length; i++) {
        v = ops[i]!(v, run, site);
        if (v === FAIL) return FAIL;
        if (isEmpty(v)) break;
      }
    }
    if (isEmpty(v)) {
      if (hasDefault) {
        if (warnIfEmpty && isEmpty(dflt)) run.warn('HUB_ERR_RECORD_EMPTY', {}, site);
        return dflt;
      }
      if (required) return run.fail('HUB_ERR_RECORD_REQUIRED', {}, site);
      if (warnIfEmpty) run.warn('HUB_ERR_RECORD_EMPTY', {}, site);
      return undefined;
    }
    return v;
  };
  return { fn, site };
}

export type { Ctx as CompileContext };

export function newCompileContext(env: CompileEnv, paths: PathEnv): Ctx {
  return { env, paths, missingColumns: [], columns: new Map(), problems: [], contextAllowed: true, readsContext: false };
}

export type { MappingSpec };
