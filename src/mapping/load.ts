/**
 * Loading mapping files: YAML -> schema check -> compile, with every problem located (file:line:col).
 *
 * Mappings live in `mappings/<id>/mapping.yaml`; a mapping is named by its id or by a path.
 */
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest, ConfigProblems, newAjv, schemaProblems, YamlSource, pathToPointer, yamlFileTooLarge, type ConfigProblem } from '../config/problems.ts';
import { HubError } from '../errors/hub-error.ts';
import { loadCodeTables } from '../codes/index.ts';
import { buildMappingSchema } from './mapping-schema.ts';
import { OPERATIONS } from './ops/index.ts';
import { isValidZone } from './ops/date-parser.ts';
import { MappingCompileError, MappingCompileErrors } from './compile.ts';
import { unknownCanonicalFields } from './canonical-fields.ts';
import { InboundMapping } from './inbound.ts';
import { OutboundMapping } from './outbound.ts';
import type { MappingSpec } from './spec.ts';
import { mappingNamespaces } from './namespaces.ts';
import { compileRecordPath } from '../formats/xml-reader.ts';
import type { CompileEnv } from './ops/op.ts';
import { RETIRED_MAPPINGS } from './retired.ts';

export type Mapping = InboundMapping | OutboundMapping;

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAPPINGS_DIR = path.join(PROJECT_ROOT, 'mappings');
export const DEFAULT_TIMEZONE = 'America/New_York';

let validateSpec: ReturnType<ReturnType<typeof newAjv>['compile']> | null = null;
const OP_NAMES = OPERATIONS.map((o) => o.name);

function specValidator(): NonNullable<typeof validateSpec> {
  validateSpec ??= newAjv().compile(buildMappingSchema());
  return validateSpec;
}

/** Check a mapping file and compile it; throws `ConfigProblems` listing everything wrong. */
export async function loadMappingFile(file: string): Promise<Mapping> {
  const rel = path.relative(process.cwd(), file) || file;
  if (!existsSync(file)) throw new HubError('HUB_ERR_FILE_NOT_FOUND', { path: rel });
  const tooLarge = yamlFileTooLarge(rel, statSync(file).size);
  if (tooLarge) throw new ConfigProblems([tooLarge]);
  return loadMappingText(rel, readFileSync(file));
}

/**
 * Check and compile a mapping given as YAML: a file's bytes (refused unless UTF-8) or text already
 * decoded (`name` locates its problems); throws `ConfigProblems`.
 */
export async function loadMappingText(name: string, text: string | Uint8Array): Promise<Mapping> {
  const src = new YamlSource(name, text);
  const yamlErrors = src.yamlProblems();
  if (yamlErrors.length) throw new ConfigProblems(yamlErrors);
  const spec = src.toJS();
  const validate = specValidator();
  // Field names the canonical schema lacks are found even when the file breaks the mapping schema, so
  // that every problem is listed in one run.
  const unknown = unknownFieldProblems(spec, src);
  if (!validate(spec)) throw new ConfigProblems(sortProblems([...schemaProblems(src, validate.errors ?? [], { opNames: OP_NAMES }), ...unknown]));
  return compileSpec(spec as MappingSpec, src, unknown);
}

function unknownFieldProblems(spec: unknown, src: YamlSource): ConfigProblem[] {
  return unknownCanonicalFields(spec).map((u) => {
    const pos = src.locate(u.path, true);
    const where = u.field === u.name ? '' : ` (in ${u.field})`;
    return {
      code: 'HUB_ERR_MAPPING_UNKNOWN_FIELD',
      file: src.file,
      line: pos.line,
      col: pos.col,
      pointer: pathToPointer(u.path),
      message: `${u.type} has no field "${u.name}"${where}`,
      hint: `${u.suggestion ? `did you mean "${u.suggestion}"? ` : ''}${u.type}${u.field === u.name ? '' : ` ${u.field.slice(0, u.field.length - u.name.length - 1)}`} fields: ${u.allowed.join(', ')} (schemas/canonical/)`,
    };
  });
}

/** What to write instead, for the compile problems people meet most. */
function compileHint(message: string, spec: MappingSpec): string {
  const declared = Object.keys(mappingNamespaces(spec.namespaces).uris);
  const prefix = /namespace prefix "([^"]*)"/.exec(message)?.[1];
  if (prefix !== undefined) {
    const guess = prefix.length > 2 ? closest(prefix, declared) : undefined;
    return `${guess ? `did you mean "${guess}"? ` : ''}declare it under namespaces: (${prefix}: <its namespace URI>) or use a declared prefix${declared.length ? `: ${declared.join(', ')}` : ' (none is declared)'}; documents are matched by URI, not prefix`;
  }
  if (/^(path|record path) "/.test(message)) return 'path syntax: docs/mapping-language.md, "Paths" and "Predicates"; in YAML, quote a path holding [ or \' ("p:A[p:B=\'x\']")';
  const table = /unknown code table "([^"]*)" \(known: ([^)]*)\)/.exec(message);
  if (table) {
    const guess = closest(table[1]!, table[2]!.split(', '));
    return `${guess ? `did you mean "${guess}"? ` : ''}name one of the tables listed (docs/mapping-language.md, "Code tables"); a spelling no table knows goes in its synonym table, mappings/code-tables/`;
  }
  if (/time zone/.test(message)) return 'write an IANA zone name, e.g. America/New_York, America/Chicago';
  if (/unknown operation/.test(message)) return `operations: ${OP_NAMES.join(', ')} (docs/mapping-language.md)`;
  return 'docs/mapping-language.md describes every key; the message says what to change';
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/**
 * Compile a checked specification. Every problem is collected (time zone, record path, each field and
 * condition, `extra` found before) and thrown together as `ConfigProblems`.
 */
export async function compileSpec(spec: MappingSpec, src?: YamlSource, extra: ConfigProblem[] = []): Promise<Mapping> {
  const problems = [...extra];
  const problem = (p: (string | number)[], message: string): ConfigProblem => {
    const pos = src?.locate(p) ?? { line: 1, col: 1 };
    return { code: 'HUB_ERR_MAPPING_INVALID', file: src?.file ?? spec.id, line: pos.line, col: pos.col, pointer: pathToPointer(p), message, hint: compileHint(message, spec) };
  };
  let timezone = spec.timezone ?? DEFAULT_TIMEZONE;
  if (!isValidZone(timezone)) {
    problems.push(problem(['timezone'], `unknown time zone "${timezone}" (use an IANA name such as America/New_York)`));
    timezone = DEFAULT_TIMEZONE;
  }
  for (const p of mappingNamespaces(spec.namespaces).problems) problems.push(problem(['namespaces', p.prefix], p.message));
  if (spec.source?.format === 'xml') {
    try {
      compileRecordPath(spec.source.xml!.record, mappingNamespaces(spec.namespaces).uris);
    } catch (err) {
      problems.push(problem(['source', 'xml', 'record'], (err as Error).message));
    }
  }
  const env: CompileEnv = { codeTables: await loadCodeTables(), timezone };
  let mapping: Mapping | undefined;
  try {
    const checked = timezone === (spec.timezone ?? DEFAULT_TIMEZONE) ? spec : { ...spec, timezone };
    mapping = spec.direction === 'inbound' ? new InboundMapping(checked, env) : new OutboundMapping(spec, env);
  } catch (err) {
    if (err instanceof MappingCompileErrors) problems.push(...err.errors.map((e) => problem(e.path, e.message)));
    else if (err instanceof MappingCompileError) problems.push(problem(err.path, err.message));
    else throw err;
  }
  if (problems.length || !mapping) throw new ConfigProblems(sortProblems(problems));
  return mapping;
}

/** Every `mappings/<id>/mapping.yaml` under a folder. */
export function findMappingFiles(dir = MAPPINGS_DIR): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  const direct = path.join(dir, 'mapping.yaml');
  if (existsSync(direct)) return [direct];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'mapping.yaml')))
    .map((d) => path.join(dir, d.name, 'mapping.yaml'))
    .sort();
}

/** Resolve a mapping by path (a file or its folder) or by id (`mappings/<id>/mapping.yaml`). */
export function resolveMappingFile(ref: string, dir = MAPPINGS_DIR): string {
  const candidates = [ref, path.join(ref, 'mapping.yaml'), path.join(dir, ref, 'mapping.yaml')];
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return path.resolve(c);
  const retired = Object.hasOwn(RETIRED_MAPPINGS, ref) ? RETIRED_MAPPINGS[ref] : undefined;
  if (retired) throw new HubError('HUB_ERR_MAPPING_RETIRED', { mapping: ref, reason: retired.reason, replacement: retired.replacement });
  throw new HubError('HUB_ERR_MAPPING_NOT_FOUND', { mapping: ref, where: `${ref}, ${path.relative(process.cwd(), dir) || dir}/${ref}/mapping.yaml` });
}

export async function loadMapping(ref: string): Promise<Mapping> {
  return loadMappingFile(resolveMappingFile(ref));
}
