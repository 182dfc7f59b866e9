/**
 * `cgic` talking to a running hub through its HTTP API, for the commands that would otherwise open
 * the store themselves (the embedded store serves one process: the hub's).
 *
 * Which hub: `--url`, else the one whose runtime file (`<hub.dataDir>/hub.json`, see
 * runtime/runtime-file.ts) the configuration's data folder holds. Which key: `--key`, else
 * `CGIC_API_KEY`, else the local operator key in that runtime file (readable by the hub's own account
 * only; on the audit trail as `local-operator`, with the operating-system user in the user agent).
 * A refusal comes back as the hub's coded error, so exit codes are those of the local command.
 */
import os from 'node:os';
import { ConfigProblems, type ConfigProblem } from '../config/problems.ts';
import { HubError } from '../errors/hub-error.ts';
import { ERRORS, type ErrorCode } from '../errors/registry.ts';
import { dataDirOfConfigFile, readRuntimeFile, runtimeFilePath } from '../runtime/runtime-file.ts';
import { DEFAULT_CONFIG } from '../config/hub-config.ts';
import { err } from './output.ts';

export interface ClientOptions {
  /** The hub's API address (http://host:port). */
  url?: string;
  /** An API key (default: CGIC_API_KEY, else the running hub's local operator key). */
  key?: string;
  /** The configuration whose data folder names the running hub. */
  config?: string;
}

function userAgent(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry: keep "unknown"
  }
  return `cgic (cli:${user}@${os.hostname()})`;
}

export class HubClient {
  constructor(
    readonly url: string,
    private readonly key: string | undefined,
  ) {}

  /** The hub the options name, or null when none is named and none runs on this machine. */
  static find(opts: ClientOptions): HubClient | null {
    const key = opts.key || process.env.CGIC_API_KEY || undefined;
    if (opts.url) return new HubClient(opts.url.replace(/\/+$/, ''), key);
    const info = readRuntimeFile(dataDirOfConfigFile(opts.config ?? DEFAULT_CONFIG));
    if (!info) return null;
    return new HubClient(info.url, key ?? info.key);
  }

  /** The hub the options name; none is a usage error saying how to name one. */
  static require(opts: ClientOptions): HubClient {
    const c = HubClient.find(opts);
    if (c) return c;
    const file = runtimeFilePath(dataDirOfConfigFile(opts.config ?? DEFAULT_CONFIG));
    throw new HubError('HUB_ERR_CLI_USAGE', { reason: `no running hub found (${file} is missing, or its process is gone): start it (cgic start), or name it with --url http://host:8080 and --key <admin key>` });
  }

  /** A JSON request; a refusal throws the hub's coded error (ConfigProblems for a refused configuration). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { res, data } = await this.send(method, path, body);
    if (res.ok) return data as T;
    const d = (data ?? {}) as { code?: string; message?: string; problems?: ConfigProblem[] };
    if (Array.isArray(d.problems) && d.problems.length) throw new ConfigProblems(d.problems);
    const code = (d.code && d.code in ERRORS ? d.code : 'HUB_ERR_SYSTEM_INTERNAL') as ErrorCode;
    const e = new HubError(code, {});
    e.message = d.message ?? `the hub answered ${res.status}`;
    if (!this.key && res.status === 401) e.message += ' (no key: give --key or set CGIC_API_KEY)';
    throw e;
  }

  /** A GET whose answer is read whatever its status (`/readyz` answers 503 with its reasons); only an unreachable hub throws. */
  async probe<T>(path: string): Promise<T | null> {
    return (await this.send('GET', path)).data as T | null;
  }

  private async send(method: string, path: string, body?: unknown): Promise<{ res: Response; data: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          'user-agent': userAgent(),
          ...(this.key ? { authorization: `Bearer ${this.key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new HubError('HUB_ERR_CLI_HUB_UNREACHABLE', { url: this.url, reason: cause?.code ?? cause?.message ?? (e as Error).message });
    }
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    return { res, data };
  }
}

/**
 * Run a command in this process (`local`), or through the running hub's API (`remote`) when `--url`
 * says so or when the hub on this machine holds the embedded store.
 */
export async function localOrApi<T>(opts: ClientOptions, local: () => Promise<T>, remote: (c: HubClient) => Promise<T>): Promise<T> {
  if (opts.url) return remote(HubClient.require(opts));
  try {
    return await local();
  } catch (e) {
    if (!(e instanceof HubError && e.code === 'HUB_ERR_STORE_LOCKED')) throw e;
    const c = HubClient.find(opts);
    if (!c) throw e;
    err(`the running hub holds the store: asking its API at ${c.url}`);
    return remote(c);
  }
}
