/**
 * Loading mapping files: YAML -> schema check -> compile, with every problem located (file:line:col).
 *
 * Mappings live in `mappings/<id>/mapping.yaml`; a mapping is named by its id or by a path.
 */
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigProblems, newAjv, schemaProblems, YamlSource, pathToPointer, type ConfigProblem } from '../config/problems.ts';
import { HubError } from '../errors/hub-error.ts';
import { loadCodeTables } from '../codes/index.ts';
import { buildMappingSchema } from './mapping-schema.ts';
import { OPERATIONS } from './ops/index.ts';
import { isValidZone } from './ops/date-parser.ts';
import { MappingCompileError } from './compile.ts';
import { InboundMapping } from './inbound.ts';
import { OutboundMapping } from './outbound.ts';
import type { MappingSpec } from './spec.ts';
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
  return loadMappingText(rel, readFileSync(file, 'utf8'));
}

/** Check and compile a mapping given as YAML text (`name` locates its problems); throws `ConfigProblems`. */
export async function loadMappingText(name: string, text: string): Promise<Mapping> {
  const src = new YamlSource(name, text);
  const yamlErrors = src.yamlProblems();
  if (yamlErrors.length) throw new ConfigProblems(yamlErrors);
  const spec = src.toJS();
  const validate = specValidator();
  if (!validate(spec)) throw new ConfigProblems(schemaProblems(src, validate.errors ?? [], { opNames: OP_NAMES }));
  return compileSpec(spec as MappingSpec, src);
}

export async function compileSpec(spec: MappingSpec, src?: YamlSource): Promise<Mapping> {
  const problem = (p: (string | number)[], message: string): ConfigProblem => {
    const pos = src?.locate(p) ?? { line: 1, col: 1 };
    return { code: 'HUB_ERR_MAPPING_INVALID', file: src?.file ?? spec.id, line: pos.line, col: pos.col, pointer: pathToPointer(p), message };
  };
  const timezone = spec.timezone ?? DEFAULT_TIMEZONE;
  if (!isValidZone(timezone)) throw new ConfigProblems([problem(['timezone'], `unknown time zone "${timezone}" (use an IANA name such as America/New_York)`)]);
  if (spec.source?.format === 'xml') {
    try {
      compileRecordPath(spec.source.xml!.record, spec.namespaces ?? {});
    } catch (err) {
      throw new ConfigProblems([problem(['source', 'xml', 'record'], (err as Error).message)]);
    }
  }
  const env: CompileEnv = { codeTables: await loadCodeTables(), timezone };
  try {
    return spec.direction === 'inbound' ? new InboundMapping(spec, env) : new OutboundMapping(spec, env);
  } catch (err) {
    if (err instanceof MappingCompileError) throw new ConfigProblems([problem(err.path, err.message)]);
    throw err;
  }
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
