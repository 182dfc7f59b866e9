/** Shared pieces of the benchmarks: machine description, medians, peak memory, the generated inputs. */
import os from 'node:os';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { generate } from '../src/generate/index.ts';

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

/** Samples RSS every 20 ms; `peak()` is the highest seen since `start()`. */
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
