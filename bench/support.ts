/** Shared pieces of the benchmarks: machine description, medians, peak memory, the generated inputs. */
import os from 'node:os';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import iconv from 'iconv-lite';
import { stringify } from 'yaml';
import { sign } from '../connectors/webhook/index.ts';
import { generate } from '../src/generate/index.ts';
import { AGENCIES } from '../src/generate/catalog.ts';

export const DATA_DIR = path.resolve(import.meta.dirname, 'data');

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

/** The machine's load averages (1, 5, 15 min): other processes share its cores, so every figure is printed beside it. */
export function load(): string {
  return `load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0-100) by nearest rank: the value below which p % of the sorted values lie. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** CPU seconds (user and system) spent so far: by this process, and by the machine's PostgreSQL and Redis servers. */
export interface CpuTotals {
  self: number;
  postgres: number;
  redis: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux for every architecture the hub runs on). */
const USER_HZ = 100;

/**
 * What `cpuTotals` reads. PostgreSQL's processes (the server and its backends) are found by name, with
 * the time of the children they reaped (`cutime`, `cstime`), so a backend that ended meanwhile still
 * counts. Linux only; elsewhere the servers count 0.
 */
export function cpuTotals(): CpuTotals {
  const { user, system } = process.cpuUsage();
  const totals: CpuTotals = { self: (user + system) / 1e6, postgres: 0, redis: 0 };
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return totals;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const kind = name.startsWith('postgres') ? 'postgres' : name.startsWith('redis-server') ? 'redis' : undefined;
      if (!kind) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      totals[kind] += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / USER_HZ;
    } catch {
      // the process ended while being read
    }
  }
  return totals;
}

/** CPU seconds spent since `start` (a `cpuTotals()`), as one line of a benchmark's report. */
export function cpuSince(start: CpuTotals): CpuTotals & { total: number; line: string } {
  const now = cpuTotals();
  const d = { self: now.self - start.self, postgres: now.postgres - start.postgres, redis: now.redis - start.redis };
  const total = d.self + d.postgres + d.redis;
  const cores = os.cpus().length;
  return {
    ...d,
    total,
    line: `CPU ${total.toFixed(1)} s: this process ${d.self.toFixed(1)} s, PostgreSQL ${d.postgres.toFixed(1)} s, Redis ${d.redis.toFixed(1)} s (on ${cores} cores, at least ${(total / cores).toFixed(1)} s of wall time)`,
  };
}

/** Resident set size of another process, in bytes (0 once it has exited). Linux only: /proc/<pid>/status. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Resident set size of a process and of every process it started, still running (their sum, in
 * bytes): what the process costs the machine, when it does part of its work in child processes.
 */
export function treeRssOf(pid: number): number {
  let sum = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    sum += rssOf(p);
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        if (kids) todo.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

/** Samples RSS every 20 ms; `peak()` is the highest seen since `start()`. */
export class RssSampler {
  private max = 0;
  private timer: NodeJS.Timeout | null = null;
  start(): void {
    this.max = process.memoryUsage.rss();
    this.timer = setInterval(() => {
      const r = process.memoryUsage.rss();
      if (r > this.max) this.max = r;
    }, 20);
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    const r = process.memoryUsage.rss();
    return Math.max(this.max, r);
  }
}

/** A generated LIMS CSV of at least `minBytes`, made once and kept under bench/data (git-ignored). */
export async function limsFile(rows: number, seed = 7): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = path.join(DATA_DIR, `lims-${rows}-s${seed}.csv`);
  if (!existsSync(file)) {
    const t = performance.now();
    const out = createWriteStream(file);
    await generate('lims-csv', { rows, seed }, out);
    out.end();
    await once(out, 'finish');
    console.log(`generated ${file}: ${(statSync(file).size / 1e6).toFixed(1)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return file;
}

let scenarioLims: { header: string; row: string } | undefined;

/**
 * A one-row LIMS export (Windows-1252 CSV) of a shooting of its own, as the lab sends one per case:
 * the scenario's Hartford cartridge case with lab case `lab`, and an agency case and a NIBIN
 * acquisition made from it. Requests that shared the agency case or the IBIS exhibit measured that
 * one record's growing body and its row lock, not the pipeline.
 */
export function limsShooting(lab: string): Buffer {
  if (!scenarioLims) {
    const lines = iconv.decode(readFileSync(path.resolve(import.meta.dirname, '../fixtures/scenario/lims.csv')), 'windows-1252').split('\r\n');
    scenarioLims = { header: lines[0]!, row: lines[2]! };
  }
  const row = scenarioLims.row.replace('L24-000301', lab).replace('24-004512', `C-${lab}`).replace('IB24-000410', `IB-${lab}`);
  return iconv.encode(`${scenarioLims.header}\r\n${row}\r\n`, 'windows-1252');
}

/** POST `body` to a webhook connector's URL, signed with `secret` as a sender does. */
export function postSigned(url: string, secret: string, body: Buffer | string, contentType: string): Promise<Response> {
  const ts = Math.floor(Date.now() / 1000);
  return fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'x-cgic-timestamp': String(ts), 'x-cgic-signature': sign(secret, ts, body) }, body });
}

/**
 * The generated scenario's agencies and the lab, as a benchmark hub's configuration lists them; with
 * `folders`, each agency gets a directory destination writing its records to `<dir>/out/<ORI>`.
 */
export function benchAgencies(dir: string, folders: boolean): Record<string, unknown>[] {
  const agencies: Record<string, unknown>[] = AGENCIES.filter((a) => a.kind !== 'lab').map((a) => {
    if (!folders) return { ori: a.ori, name: a.name };
    mkdirSync(path.join(dir, 'out', a.ori), { recursive: true });
    return { ori: a.ori, name: a.name, destinations: [{ id: `files-${a.ori.toLowerCase()}`, kind: 'directory', content: ['records'], options: { path: path.join(dir, 'out', a.ori) } }] };
  });
  agencies.push({ ori: 'CTFSL0000', name: 'Lab', kind: 'lab' });
  return agencies;
}

/**
 * A benchmark hub's configuration in `<dir>/cgic.yaml`: `benchAgencies` and one directory connector of
 * the lab (`id`, reading `<dir>/in` with `mapping`, other agencies' records allowed). Returns the file.
 */
export function writeBenchConfig(dir: string, connector: { id: string; mapping: string }, folders: boolean): string {
  mkdirSync(path.join(dir, 'in'), { recursive: true });
  const file = path.join(dir, 'cgic.yaml');
  writeFileSync(
    file,
    stringify({
      hub: { name: 'bench', dataDir: path.join(dir, 'var'), api: { host: '127.0.0.1', port: 0, keys: [] } },
      agencies: benchAgencies(dir, folders),
      connectors: [{ ...connector, kind: 'directory', agency: 'CTFSL0000', allowOtherAgencies: true, options: { path: path.join(dir, 'in'), stableMs: 0 } }],
    }),
  );
  return file;
}
