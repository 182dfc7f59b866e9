/**
 * The hub configuration: one YAML file, checked as a whole before anything starts.
 *
 * Input: the file. Output: a `HubConfig` whose every cross-reference holds (connector -> agency,
 * connector -> inbound mapping, destination -> outbound mapping, connector kinds and their options,
 * cron schedules, time zones), with secrets still as references; or `ConfigProblems`, each located at
 * file:line:col with a hint. `resolveSecrets` happens at start, never in validation output or logs.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { validate as validateCron } from 'node-cron';
import { expectedEverySeconds } from './cadence.ts';
import { ConfigProblems, newAjv, pathToPointer, problemCount, schemaProblems, YamlSource, closest, yamlFileTooLarge, type ConfigProblem } from './problems.ts';
import { isSecretRef, secretPaths } from './secrets.ts';
import { HubError } from '../errors/hub-error.ts';
import { isValidZone } from '../mapping/ops/date-parser.ts';
import { loadMapping, PROJECT_ROOT, type Mapping } from '../mapping/load.ts';
import { InboundMapping } from '../mapping/inbound.ts';
import { CONNECTORS, findConnector } from '../../connectors/index.ts';
import { DEFAULT_SHARED, type ShareableField, type SharingConfig, type SharingRule } from '../enrich/sharing-rules.ts';
import { DEFAULT_LIMITS, mergeLimits, type ReaderLimits, type ReaderLimitsInput } from '../formats/limits.ts';

export interface ApiKeyConfig {
  id: string;
  role: 'admin' | 'analyst' | 'agency' | 'auditor';
  /** The agency of an agency key (required), or of an agency's own auditor (reads only its entries of the trail). */
  ori?: string;
  sha256: string;
  /** The client the key belongs to (keys of one client rotate). @defaultValue the key's id */
  client?: string;
  /** ISO time after which the key is refused. */
  expiresAt?: string;
  /** Requests per rate-limit window; default: the role's. */
  rateLimit?: number;
}

export interface RateLimitConfig {
  windowSeconds: number;
  perKey: number;
  anonymous: number;
  roles: Partial<Record<ApiKeyConfig['role'], number>>;
}

export interface TlsConfig {
  /** Absolute paths (resolved from the config file). */
  cert: string;
  key: string;
  clientCa?: string;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  requireClientCert: 'none' | 'agency' | 'all';
  reloadSeconds: number;
}

/** Console sign-in through OpenID Connect (hub.api.oidc); defaults filled in. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** A secret reference (resolved at start), or undefined: a public client. */
  clientSecret?: string;
  redirectUrl: string;
  scopes: string[];
  providerName: string;
  claims: { role: string; agency: string; name: string };
  /** Claim value -> role; unset: the value is the role's name. */
  roleMap?: Record<string, ApiKeyConfig['role']>;
  requireMfa: boolean;
  mfa: { amr: string[]; acr: string[] };
}

/** Console sessions (hub.api.sessions). */
export interface SessionConfig {
  idleMinutes: number;
  maxHours: number;
}

export interface AuditConfig {
  retentionDays: number;
  /** A secret reference (resolved at start), or undefined. */
  signingKey?: string;
  checkpointMinutes: number;
}

export interface DestinationConfig {
  id: string;
  kind: string;
  content: ('records' | 'leads')[];
  leadFormat: string;
  enabled: boolean;
  options: Record<string, unknown>;
  /** Filled in: the agency this destination belongs to. */
  ori: string;
}

export interface AgencyConfig {
  ori: string;
  name: string;
  kind: string;
  timezone: string;
  contact?: { name?: string; phone?: string; email?: string };
  destinations: DestinationConfig[];
}

export interface ConnectorConfig {
  id: string;
  kind: string;
  agency: string;
  mapping: string;
  schedule?: string;
  /** As configured ("26h", "off"), if it is. */
  expectEvery?: string;
  /** Seconds without data after which the connector is quiet (config/cadence.ts); null: never. */
  expectEverySeconds: number | null;
  enabled: boolean;
  /** Records of other agencies than `agency` are accepted (a lab's feed); else refused with HUB_ERR_RECORD_AGENCY. @defaultValue false */
  allowOtherAgencies: boolean;
  options: Record<string, unknown>;
  /** Limits on hostile input for this connector: hub.limits with the connector's own `limits` over them. */
  limits: ReaderLimits;
}

export interface HubConfig {
  file: string;
  baseDir: string;
  hub: {
    name: string;
    timezone: string;
    dataDir: string;
    api: { host: string; port: number; metricsPort?: number; keys: ApiKeyConfig[]; requestTimeoutSeconds: number; trustProxy: string[]; rateLimit: RateLimitConfig; tls?: TlsConfig; oidc?: OidcConfig; sessions: SessionConfig };
    audit: AuditConfig;
    delivery: { attempts: number; backoffMs: number; maxBackoffMs: number; concurrency: number };
    transfers: { concurrency: number; chunkSize: number; attempts: number; backoffMs: number };
    /** Limits on hostile input (src/formats/limits.ts, docs/hostile-input.md). */
    limits: ReaderLimits;
  };
  agencies: AgencyConfig[];
  connectors: ConnectorConfig[];
  leads: { enrichmentWaitSeconds: number; caveat: string };
  sharing: SharingConfig;
  /** Compiled mappings by id, loaded while checking. */
  mappings: Map<string, Mapping>;
}

export const DEFAULT_CAVEAT =
  'NIBIN lead: investigative information only, not a confirmed identification. Confirm with the laboratory before using it in an affidavit or a charging decision.';

export const DEFAULT_CONFIG = path.join(PROJECT_ROOT, 'config', 'cgic.yaml');
/** hub.dataDir when the configuration does not set it, relative to the configuration file. */
export const DEFAULT_DATA_DIR = '../var';
const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schemas', 'config.schema.json');

let validateSchema: ReturnType<ReturnType<typeof newAjv>['compile']> | null = null;
const optionValidators = new Map<string, ReturnType<ReturnType<typeof newAjv>['compile']>>();

function optionsValidator(kind: string, direction: 'source' | 'destination', schema: Record<string, unknown>) {
  const k = `${direction}:${kind}`;
  let v = optionValidators.get(k);
  if (!v) optionValidators.set(k, (v = newAjv().compile(schema)));
  return v;
}

export async function loadHubConfig(file: string = DEFAULT_CONFIG): Promise<HubConfig> {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs) || abs;
  if (!existsSync(abs)) throw new HubError('HUB_ERR_FILE_NOT_FOUND', { path: rel });
  const tooLarge = yamlFileTooLarge(rel, statSync(abs).size, 'HUB_ERR_CONFIG_YAML');
  if (tooLarge) throw new ConfigProblems([tooLarge]);
  const src = new YamlSource(rel, readFileSync(abs));
  const yamlErrors = src.yamlProblems().map((p) => ({ ...p, code: 'HUB_ERR_CONFIG_YAML' as const }));
  if (yamlErrors.length) throw new ConfigProblems(yamlErrors);
  const raw = src.toJS() as Record<string, unknown>;
  validateSchema ??= newAjv().compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  if (!validateSchema(raw)) throw new ConfigProblems(schemaProblems(src, validateSchema.errors ?? [], { schemaCode: 'HUB_ERR_CONFIG_SCHEMA' }));
  return checkConfig(raw, src, abs);
}

async function checkConfig(raw: Record<string, unknown>, src: YamlSource, abs: string): Promise<HubConfig> {
  const problems: ConfigProblem[] = [];
  const problem = (p: (string | number)[], message: string, hint?: string, key = false): void => {
    const pos = src.locate(p, key);
    problems.push({ code: 'HUB_ERR_CONFIG_INVALID', file: src.file, line: pos.line, col: pos.col, pointer: pathToPointer(p), message, ...(hint ? { hint } : {}) });
  };
  const baseDir = path.dirname(abs);
  const h = (raw.hub ?? {}) as Record<string, any>;
  const hubTz: string = h.timezone ?? 'America/New_York';
  if (!isValidZone(hubTz)) problem(['hub', 'timezone'], `unknown time zone "${hubTz}"`, 'use an IANA name such as America/New_York');
  const cfg: HubConfig = {
    file: abs,
    baseDir,
    hub: {
      name: h.name ?? 'cgic-hub',
      timezone: hubTz,
      dataDir: path.resolve(baseDir, h.dataDir ?? DEFAULT_DATA_DIR),
      api: {
        host: h.api?.host ?? '127.0.0.1',
        port: h.api?.port ?? 8080,
        ...(h.api?.metricsPort !== undefined ? { metricsPort: h.api.metricsPort } : {}),
        keys: h.api?.keys ?? [],
        requestTimeoutSeconds: h.api?.requestTimeoutSeconds ?? 120,
        trustProxy: h.api?.trustProxy ?? [],
        rateLimit: { windowSeconds: 60, perKey: 600, anonymous: 60, ...(h.api?.rateLimit ?? {}), roles: { ...(h.api?.rateLimit?.roles ?? {}) } },
        ...(h.api?.tls
          ? {
              tls: {
                cert: path.resolve(baseDir, h.api.tls.cert),
                key: path.resolve(baseDir, h.api.tls.key),
                ...(h.api.tls.clientCa ? { clientCa: path.resolve(baseDir, h.api.tls.clientCa) } : {}),
                minVersion: h.api.tls.minVersion ?? 'TLSv1.2',
                requireClientCert: h.api.tls.requireClientCert ?? 'none',
                reloadSeconds: h.api.tls.reloadSeconds ?? 60,
              },
            }
          : {}),
        ...(h.api?.oidc ? { oidc: oidcConfig(h.api.oidc) } : {}),
        sessions: { idleMinutes: 30, maxHours: 12, ...(h.api?.sessions ?? {}) },
      },
      audit: { retentionDays: 400, checkpointMinutes: 60, ...(h.audit ?? {}) },
      delivery: { attempts: 24, backoffMs: 2000, maxBackoffMs: 300_000, concurrency: 4, ...(h.delivery ?? {}) },
      transfers: { concurrency: 4, chunkSize: 500, attempts: 3, backoffMs: 5000, ...(h.transfers ?? {}) },
      limits: mergeLimits(DEFAULT_LIMITS, h.limits as ReaderLimitsInput | undefined),
    },
    agencies: [],
    connectors: [],
    leads: { enrichmentWaitSeconds: 600, caveat: DEFAULT_CAVEAT, ...((raw.leads ?? {}) as object) },
    sharing: {
      default: ((raw.sharing as { default?: ShareableField[] } | undefined)?.default ?? DEFAULT_SHARED) as ShareableField[],
      rules: ((raw.sharing as { rules?: SharingRule[] } | undefined)?.rules ?? []) as SharingRule[],
    },
    mappings: new Map(),
  };
  const tls = cfg.hub.api.tls;
  if (tls && tls.requireClientCert !== 'none' && !tls.clientCa) {
    problem(['hub', 'api', 'tls', 'requireClientCert'], `requireClientCert "${tls.requireClientCert}" needs clientCa`, 'name the PEM file of the CA that signs the client certificates in hub.api.tls.clientCa');
  }
  const oidc = cfg.hub.api.oidc;
  if (oidc) {
    if (oidc.clientSecret !== undefined && !isSecretRef(oidc.clientSecret)) {
      problem(['hub', 'api', 'oidc', 'clientSecret'], 'inline secret in hub.api.oidc.clientSecret', 'secrets are never written in the config: use ${env:NAME} or ${file:/path/to/secret}');
    }
    for (const k of ['issuer', 'redirectUrl'] as const) {
      const u = URL.canParse(oidc[k]) ? new URL(oidc[k]) : null;
      if (u && u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) {
        problem(['hub', 'api', 'oidc', k], `${k} ${oidc[k]} is not https`, 'the provider and the hub talk over TLS (CJIS: encryption in transit); http is accepted on a loopback address only (a local test provider)');
      }
    }
  }
  const signingKey = cfg.hub.audit.signingKey;
  if (signingKey !== undefined && !isSecretRef(signingKey)) {
    problem(['hub', 'audit', 'signingKey'], 'inline secret in hub.audit.signingKey', 'secrets are never written in the config: use ${env:NAME} or ${file:/path/to/secret}');
  }

  const mappingOf = async (ref: string, p: (string | number)[], want: 'inbound' | 'outbound'): Promise<void> => {
    if (cfg.mappings.has(ref)) {
      const m = cfg.mappings.get(ref)!;
      if ((m instanceof InboundMapping) !== (want === 'inbound')) problem(p, `mapping "${ref}" is not an ${want} mapping`);
      return;
    }
    try {
      // A mapping named by path is relative to the configuration file; by id, it is mappings/<id>/.
      const m = await loadMapping(ref.includes('/') || ref.endsWith('.yaml') ? path.resolve(baseDir, ref) : ref);
      if ((m instanceof InboundMapping) !== (want === 'inbound')) problem(p, `mapping "${ref}" is not an ${want} mapping`);
      cfg.mappings.set(ref, m);
    } catch (err) {
      if (err instanceof HubError && err.code === 'HUB_ERR_MAPPING_NOT_FOUND') problem(p, `unknown mapping "${ref}"`, 'name a folder of mappings/ (cgic validate lists them) or a path to a mapping.yaml');
      else if (err instanceof HubError && err.code === 'HUB_ERR_MAPPING_RETIRED') {
        const pos = src.locate(p);
        problems.push({ code: err.code, file: src.file, line: pos.line, col: pos.col, pointer: pathToPointer(p), message: err.message, hint: 'see docs/migrations.md' });
      }
      else if (err instanceof ConfigProblems) {
        const n = problemCount(err.problems);
        problem(p, `mapping "${ref}" is invalid (${n} problem${n === 1 ? '' : 's'})`, 'run `cgic validate` on the mapping');
        problems.push(...err.problems);
      } else throw err;
    }
  };

  const checkOptions = (kind: string, direction: 'source' | 'destination', options: Record<string, unknown>, p: (string | number)[]): void => {
    const d = findConnector(kind, direction);
    if (!d) {
      const kinds = CONNECTORS.filter((c) => c.direction === direction).map((c) => c.kind);
      const guess = closest(kind, kinds);
      problem([...p, 'kind'], `unknown ${direction} connector kind "${kind}"`, `${guess ? `did you mean "${guess}"? ` : ''}kinds: ${kinds.join(', ')}`);
      return;
    }
    const v = optionsValidator(kind, direction, d.optionsSchema);
    if (!v(options)) {
      for (const e of v.errors ?? []) {
        const sub = e.instancePath ? e.instancePath.slice(1).split('/') : [];
        const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
        const missing = e.keyword === 'required' ? ` "${(e.params as { missingProperty: string }).missingProperty}"` : '';
        problem([...p, 'options', ...sub], `option ${e.instancePath || '(options)'} ${e.message}${extra}${missing}`, `see connectors/${kind}/README.md`);
      }
    }
    for (const sp of secretPaths(d.optionsSchema, options)) {
      let v2: unknown = options;
      for (const s of sp) v2 = (v2 as Record<string, unknown>)[s];
      if (!isSecretRef(v2)) {
        problem([...p, 'options', ...sp], `inline secret in option ${sp.join('.')}`, 'secrets are never written in the config: use ${env:NAME} or ${file:/path/to/secret}');
      }
    }
  };

  const oris = new Set<string>();
  const destIds = new Set<string>();
  const agencies = (raw.agencies ?? []) as Record<string, any>[];
  for (const [i, a] of agencies.entries()) {
    if (oris.has(a.ori)) problem(['agencies', i, 'ori'], `agency ${a.ori} is listed twice`);
    oris.add(a.ori);
    const tz = a.timezone ?? hubTz;
    if (!isValidZone(tz)) problem(['agencies', i, 'timezone'], `unknown time zone "${tz}"`, 'use an IANA name such as America/New_York');
    const destinations: DestinationConfig[] = [];
    for (const [j, d] of ((a.destinations ?? []) as Record<string, any>[]).entries()) {
      const p = ['agencies', i, 'destinations', j];
      if (destIds.has(d.id)) problem([...p, 'id'], `destination id "${d.id}" is used twice`);
      destIds.add(d.id);
      checkOptions(d.kind, 'destination', d.options ?? {}, p);
      const content = d.content ?? ['records', 'leads'];
      const leadFormat = d.leadFormat ?? 'out-lead-json';
      if (content.includes('leads')) await mappingOf(leadFormat, [...p, 'leadFormat'], 'outbound');
      destinations.push({ id: d.id, kind: d.kind, content, leadFormat, enabled: d.enabled !== false, options: d.options ?? {}, ori: a.ori });
    }
    cfg.agencies.push({ ori: a.ori, name: a.name, kind: a.kind ?? 'municipal', timezone: tz, contact: a.contact, destinations });
  }

  checkKeys(cfg.hub.api.keys, oris, problem);

  const ids = new Set<string>();
  for (const [i, c] of ((raw.connectors ?? []) as Record<string, any>[]).entries()) {
    const p = ['connectors', i];
    if (ids.has(c.id)) problem([...p, 'id'], `connector id "${c.id}" is used twice`);
    ids.add(c.id);
    if (!oris.has(c.agency)) {
      const guess = closest(c.agency, [...oris]);
      problem([...p, 'agency'], `unknown agency "${c.agency}"`, `${guess ? `did you mean "${guess}"? ` : ''}the connector's agency must be listed under agencies`);
    }
    if (c.schedule !== undefined && !validateCron(c.schedule)) {
      problem([...p, 'schedule'], `"${c.schedule}" is not a valid cron expression`, 'five fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * *" for 02:00 every night');
    }
    checkOptions(c.kind, 'source', c.options ?? {}, p);
    await mappingOf(c.mapping, [...p, 'mapping'], 'inbound');
    const tz = cfg.agencies.find((a) => a.ori === c.agency)?.timezone ?? cfg.hub.timezone;
    const expectEverySeconds = c.schedule !== undefined && !validateCron(c.schedule) ? null : expectedEverySeconds(c.expectEvery, c.schedule, tz);
    cfg.connectors.push({ id: c.id, kind: c.kind, agency: c.agency, mapping: c.mapping, schedule: c.schedule, ...(c.expectEvery !== undefined ? { expectEvery: c.expectEvery } : {}), expectEverySeconds, enabled: c.enabled !== false, allowOtherAgencies: c.allowOtherAgencies === true, options: c.options ?? {}, limits: mergeLimits(cfg.hub.limits, c.limits as ReaderLimitsInput | undefined) });
  }
  checkSharedFolders(cfg.connectors, problem);
  checkUnreadReferences(raw, problem);
  cfg.sharing.rules.forEach((r, i) => {
    for (const k of ['recipient', 'owner'] as const) {
      if (r[k] !== '*' && !oris.has(r[k])) problem(['sharing', 'rules', i, k], `unknown agency "${r[k]}" in a sharing rule`, 'name an ORI listed under agencies, or *');
    }
  });
  if (problems.length) throw new ConfigProblems(problems.sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1)));
  return cfg;
}

/** Where `${env:...}` and `${file:...}` references are resolved (at start): everywhere else a value is taken as written. */
const RESOLVED_AT = [['connectors', '*', 'options'], ['agencies', '*', 'destinations', '*', 'options'], ['hub', 'audit', 'signingKey'], ['hub', 'api', 'oidc', 'clientSecret']];
const REFERENCE = /\$\{(env|file):[^}]+\}/;

/**
 * A reference written where none is resolved (`dataDir: "${env:CGIC_DATA}"`): the hub would take it
 * as written, and keep its data in a folder named `${env:CGIC_DATA}` beside the configuration.
 */
function checkUnreadReferences(raw: unknown, problem: (p: (string | number)[], message: string, hint?: string) => void): void {
  const resolved = (at: readonly (string | number)[]): boolean => RESOLVED_AT.some((r) => r.length <= at.length && r.every((s, i) => s === '*' || s === at[i]));
  const walk = (v: unknown, at: (string | number)[]): void => {
    if (resolved(at)) return;
    if (typeof v === 'string') {
      const ref = REFERENCE.exec(v)?.[0];
      if (ref) problem(at, `${ref} is not resolved here: the value would be taken as written`, 'references are resolved only in connector and destination options, hub.audit.signingKey and hub.api.oidc.clientSecret: write the value itself here');
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
  };
  walk(raw, []);
}

/**
 * Enabled `directory` sources that would take each other's files: two reading one folder with one
 * pattern (each file goes to whichever claims it first, read with that connector's mapping and
 * agency), or two claiming into one processing folder (a file one leaves there, its process having
 * died, is re-offered to the other, which reads it with its own mapping and agency). Paths are
 * compared resolved, as the connector resolves them; one holding a reference, as written.
 */
function checkSharedFolders(connectors: readonly ConnectorConfig[], problem: (p: (string | number)[], message: string, hint?: string) => void): void {
  const where = (p: string): string => (p.includes('${') ? p : path.resolve(p));
  const drops = new Map<string, string>();
  const processing = new Map<string, string>();
  connectors.forEach((c, i) => {
    const o = c.options as { path?: unknown; pattern?: unknown; processingDir?: unknown };
    if (c.kind !== 'directory' || !c.enabled || typeof o.path !== 'string') return;
    const dir = where(o.path);
    const pattern = typeof o.pattern === 'string' ? o.pattern : '*';
    const claims = typeof o.processingDir === 'string' ? where(o.processingDir) : path.join(dir, '.processing');
    const drop = drops.get(`${dir}\0${pattern}`);
    const claimant = processing.get(claims);
    if (drop !== undefined) {
      problem(['connectors', i, 'options', 'path'], `connectors "${drop}" and "${c.id}" both read ${dir} with pattern "${pattern}"`, "each file would be read by whichever claims it first, with that connector's mapping and agency: give each connector its own folder");
    } else if (claimant !== undefined) {
      problem(['connectors', i, 'options', typeof o.processingDir === 'string' ? 'processingDir' : 'path'], `connectors "${claimant}" and "${c.id}" claim files into one processing folder, ${claims}`, 'a file one of them leaves there (its process died) is re-offered to the other and read with its mapping and agency: give each connector its own folder, or its own processingDir');
    }
    if (drop === undefined) drops.set(`${dir}\0${pattern}`, c.id);
    if (claimant === undefined) processing.set(claims, c.id);
  });
}

/**
 * API keys: ids unique, an agency key names a configured agency (else it would silently see nothing),
 * the keys of one client agree on role and ori (a rotation never changes what the client may do), and a
 * key's expiry is a real time.
 */
function checkKeys(keys: readonly ApiKeyConfig[], oris: ReadonlySet<string>, problem: (p: (string | number)[], message: string, hint?: string) => void): void {
  const ids = new Set<string>();
  const clients = new Map<string, { role: string; ori: string | undefined; id: string }>();
  keys.forEach((k, i) => {
    const p = ['hub', 'api', 'keys', i];
    if (ids.has(k.id)) problem([...p, 'id'], `key id "${k.id}" is used twice`, 'give each key its own id; keys of one client share `client`, not `id`');
    ids.add(k.id);
    if (k.role === 'agency' && !k.ori) problem(p, `key "${k.id}" has role agency but no ori`, 'add the ori of the agency the key belongs to');
    if (k.ori && !oris.has(k.ori)) {
      const guess = closest(k.ori, [...oris]);
      problem([...p, 'ori'], `key "${k.id}" names agency ${k.ori}, which is not listed under agencies`, `${guess ? `did you mean "${guess}"? ` : ''}the key would see nothing: list the agency, or correct the ori`);
    }
    if (k.expiresAt !== undefined && Number.isNaN(Date.parse(k.expiresAt))) problem([...p, 'expiresAt'], `"${k.expiresAt}" is not a time`, 'write an ISO 8601 time with an offset, e.g. 2026-06-30T00:00:00Z');
    const client = k.client ?? k.id;
    const first = clients.get(client);
    if (!first) clients.set(client, { role: k.role, ori: k.ori, id: k.id });
    else if (first.role !== k.role || first.ori !== k.ori) {
      problem([...p, 'client'], `key "${k.id}" of client "${client}" has role ${k.role}${k.ori ? ` (${k.ori})` : ''}, but key "${first.id}" of the same client has role ${first.role}${first.ori ? ` (${first.ori})` : ''}`, 'keys of one client are the same caller: give them the same role and ori, or another client');
    }
  });
}

/** hub.api.oidc with its defaults. */
function oidcConfig(o: Record<string, any>): OidcConfig {
  return {
    issuer: o.issuer,
    clientId: o.clientId,
    ...(o.clientSecret !== undefined ? { clientSecret: o.clientSecret } : {}),
    redirectUrl: o.redirectUrl,
    scopes: o.scopes ?? ['openid', 'profile', 'email'],
    providerName: o.providerName ?? 'the identity provider',
    claims: { role: 'cgic_role', agency: 'cgic_ori', name: 'name', ...(o.claims ?? {}) },
    ...(o.roleMap ? { roleMap: o.roleMap } : {}),
    requireMfa: o.requireMfa ?? true,
    mfa: { amr: ['mfa', 'otp', 'hwk', 'sc'], acr: [], ...(o.mfa ?? {}) },
  };
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

export function agencyOf(cfg: HubConfig, ori: string): AgencyConfig | undefined {
  return cfg.agencies.find((a) => a.ori === ori);
}
