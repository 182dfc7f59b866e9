/** `cgic validate`: every mapping (and the hub configuration, when there is one) against its schema. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap } from 'yaml';
import { ConfigProblems, formatProblem, MAX_YAML_BYTES, problemCount, YamlSource, type ConfigProblem } from '../../config/problems.ts';
import { findMappingFiles, loadMappingFile, MAPPINGS_DIR } from '../../mapping/load.ts';
import { InboundMapping } from '../../mapping/inbound.ts';
import { authorPatterns, unguardedRisk } from '../../mapping/patterns.ts';
import { HubError } from '../../errors/hub-error.ts';
import { loadHubConfig, DEFAULT_CONFIG } from '../../config/hub-config.ts';
import { EXIT } from '../exit-codes.ts';
import { err, out } from '../output.ts';

export interface ValidateOptions {
  json?: boolean;
  /** A hub configuration to check; default config/cgic.yaml when no mapping paths are given; "none" skips it. */
  config?: string;
}

/**
 * A file named on the command line that is a hub configuration (a top-level `hub:` and no `source:`),
 * not a mapping: it is checked as a configuration, as `-c` would, instead of failing as a mapping.
 */
function isHubConfig(file: string): boolean {
  try {
    if (!/\.ya?ml$/i.test(file) || !statSync(file).isFile() || statSync(file).size > MAX_YAML_BYTES) return false; // refused unread as a mapping, too large either way
    // Parsed as the configuration loader parses (YamlSource): a hostile file fails there the same way.
    const { doc } = new YamlSource(file, readFileSync(file, 'utf8'));
    return isMap(doc.contents) && doc.contents.has('hub') && !doc.contents.has('source');
  } catch {
    return false; // unreadable or not YAML: the mapping loader says why
  }
}

/**
 * The mapping's patterns that a crafted value could make backtrack for hours (mapping/patterns.ts), each
 * at its line and column. A note, not a problem: the mapping loads and runs as it did.
 */
function unguardedNotes(rel: string, file: string, spec: unknown): string[] {
  const found = authorPatterns(spec).flatMap((p) => {
    const reason = unguardedRisk(p);
    return reason ? [{ ...p, reason }] : [];
  });
  if (!found.length) return [];
  const src = new YamlSource(rel, readFileSync(file, 'utf8'));
  return found.map((p) => {
    const { line, col } = src.locate(p.path);
    return (
      `${rel}:${line}:${col}: /${p.path.join('/')}: ${p.reason} keeps this pattern from the linear-time fallback, and it repeats a quantified group: ` +
      'a value can make it take time exponential in its length; match each character one way only (docs/hostile-input.md#values-that-make-a-pattern-backtrack)'
    );
  });
}

export async function validateCommand(paths: string[], opts: ValidateOptions): Promise<number> {
  const configs = paths.filter((p) => isHubConfig(path.resolve(p)));
  paths = paths.filter((p) => !configs.includes(p));
  const files = (paths.length || configs.length ? paths : [MAPPINGS_DIR]).flatMap((p) => {
    const found = findMappingFiles(path.resolve(p));
    return found.length ? found : [path.resolve(p)];
  });
  const problems: ConfigProblem[] = [];
  const ok: { file: string; mapping: string; kind: string; notes?: string[] }[] = [];
  for (const f of files) {
    const rel = path.relative(process.cwd(), f) || f;
    try {
      const m = await loadMappingFile(f);
      const kind = m instanceof InboundMapping ? `inbound ${m.spec.source!.format} -> ${[...new Set(m.spec.records!.map((r) => r.type))].join(', ')}` : `outbound -> ${m.format}`;
      const notes = unguardedNotes(rel, f, m.spec);
      ok.push({ file: rel, mapping: m.label, kind, ...(notes.length ? { notes } : {}) });
    } catch (e) {
      if (e instanceof ConfigProblems) for (const p of e.problems) problems.push(p); // push(...list) would overflow the stack for a long list
      else if (e instanceof HubError) problems.push({ code: e.code, file: rel, line: 1, col: 1, pointer: '', message: e.message });
      else throw e;
    }
  }
  const configFiles = opts.config === 'none' ? configs : [...new Set([...(opts.config ? [opts.config] : []), ...configs])];
  if (!configFiles.length && opts.config === undefined && !paths.length) configFiles.push(DEFAULT_CONFIG);
  for (const configFile of configFiles) {
    const rel = path.relative(process.cwd(), configFile) || configFile;
    try {
      const cfg = await loadHubConfig(configFile);
      ok.push({ file: rel, mapping: `config`, kind: `${cfg.agencies.length} agencies, ${cfg.connectors.length} connectors, ${cfg.agencies.reduce((n, a) => n + a.destinations.length, 0)} destinations` });
    } catch (e) {
      if (e instanceof ConfigProblems) for (const p of e.problems) problems.push(p);
      else if (e instanceof HubError) problems.push({ code: e.code, file: rel, line: 1, col: 1, pointer: '', message: e.message });
      else throw e;
    }
  }
  if (opts.json) {
    out(JSON.stringify({ valid: ok, problems }, null, 2));
  } else {
    for (const o of ok) {
      out(`ok   ${o.file}  ${o.mapping}  ${o.kind}`);
      for (const n of o.notes ?? []) out(`     note ${n}`);
    }
    for (const p of problems) err(formatProblem(p));
    const bad = new Set(problems.map((p) => p.file)).size;
    // Counted with those a file's cut list does not show (ConfigProblems lists 100 a file).
    const n = problemCount(problems);
    (problems.length ? err : out)(`${ok.length} valid, ${bad} invalid (${n} problem${n === 1 ? '' : 's'})`);
  }
  return problems.length ? EXIT.CONFIG : EXIT.OK;
}
