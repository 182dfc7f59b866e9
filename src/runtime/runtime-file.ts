/**
 * How `cgic` on the hub's machine finds the running hub: a small JSON file in the hub's data folder,
 * written when a process with the api role starts listening and removed when it stops.
 *
 * Input: the API address and a key minted at start (admin role, id `local-operator`, valid while
 * this process runs). Output: `<dataDir>/hub.json`, mode 0600, so only the account that runs the hub
 * (the one that can already read its embedded database in the same folder) can read the key.
 * A file whose process is gone is ignored (a hub that was killed leaves it behind).
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DATA_DIR } from '../config/hub-config.ts';
import { readYaml } from '../config/problems.ts';
import { makeDirsSync } from '../sdk/make-dirs.ts';

/** The id the local operator key has on the audit trail. */
export const LOCAL_KEY_ID = 'local-operator';

export interface RuntimeInfo {
  pid: number;
  /** The API's address, e.g. http://127.0.0.1:8080. */
  url: string;
  /** An admin key valid while this process runs (LOCAL_KEY_ID). */
  key: string;
  startedAt: string;
  configFile: string;
  hubName: string;
}

export function runtimeFilePath(dataDir: string): string {
  return path.join(dataDir, 'hub.json');
}

export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  makeDirsSync(dataDir);
  const file = runtimeFilePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** Remove the file if it is still this process's (another API process may have written it since). */
export function removeRuntimeFile(dataDir: string, pid: number = process.pid): void {
  const info = readRuntimeFile(dataDir, { alive: false });
  if (info?.pid === pid) rmSync(runtimeFilePath(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running hub's file, or null (none, unreadable, or its process is gone unless `alive: false`). */
export function readRuntimeFile(dataDir: string, opts: { alive?: boolean } = {}): RuntimeInfo | null {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(runtimeFilePath(dataDir), 'utf8')) as RuntimeInfo;
  } catch {
    return null;
  }
  if (typeof info?.url !== 'string' || typeof info.pid !== 'number') return null;
  if (opts.alive !== false && !alive(info.pid)) return null;
  return info;
}

/**
 * The data folder a configuration names, read without checking the rest of it: `cgic reload` must
 * reach the hub to have a configuration checked, even one that does not load. The file is read as the
 * configuration loader reads it (`readYaml`: nesting and aliases checked first); one that cannot be
 * read names no folder, and the default is used.
 */
export function dataDirOfConfigFile(configFile: string): string {
  const abs = path.resolve(configFile);
  let dataDir: unknown;
  try {
    dataDir = (readYaml(abs, readFileSync(abs, 'utf8')).values as { hub?: { dataDir?: unknown } } | null | undefined)?.hub?.dataDir;
  } catch {
    dataDir = undefined;
  }
  return path.resolve(path.dirname(abs), typeof dataDir === 'string' ? dataDir : DEFAULT_DATA_DIR);
}
