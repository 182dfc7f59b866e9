/**
 * http-poll page benchmark: what one polled page costs the worker before the mapping sees it.
 *
 * A local HTTP server (this process) answers every request with the same page; a child process runs the
 * connector as a poll does (claim with the committed cursor, then read, each part drained) and reports
 * wall time, the longest event-loop stall (perf_hooks.monitorEventLoopDelay) and its peak RSS (VmHWM).
 * The baseline is the mapping's JSON reader (src/formats/json-reader.ts) over the same page in a child of
 * its own: the one parse a page needs. Pages:
 *   hostile   `{"items":[{},{},...],"next_cursor":null}` just under the default maxPageBytes (50 MiB):
 *             17 million empty objects, the page an API that is broken or hostile can send.
 *   records   500 incidents of the rms-rest-json fixture (an ordinary page, ~0.7 MB).
 *   large     the same incidents up to ~48 MiB (an ordinary page near the limit).
 * Medians of --rounds; each measurement in a fresh process so one run's garbage never weighs on the next.
 *
 * Run: npm run bench:http-poll [-- --rounds 3 --only hostile]
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { parseArgs, promisify } from 'node:util';
import { machine, load, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    child: { type: 'string' },
    url: { type: 'string' },
  },
});

const execFileAsync = promisify(execFile);

const MAX_PAGE_BYTES = 52428800;

function page(kind: string): Buffer {
  if (kind === 'hostile') {
    const head = Buffer.from('{"items":[');
    const tail = Buffer.from('{}],"next_cursor":null}');
    const unit = Buffer.from('{},');
    const n = Math.floor((MAX_PAGE_BYTES - 64 - head.length - tail.length) / unit.length);
    const buf = Buffer.alloc(head.length + n * unit.length + tail.length);
    head.copy(buf, 0);
    for (let i = 0; i < n; i++) unit.copy(buf, head.length + i * unit.length);
    tail.copy(buf, head.length + n * unit.length);
    return buf;
  }
  const fixture = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/rms-rest-json/page1.json'), 'utf8')) as { data: Record<string, unknown>[] };
  const one = (i: number): string => JSON.stringify({ ...fixture.data[i % fixture.data.length], id: `inc_${i}`, report_number: `R-${i}` });
  const parts: string[] = [];
  let bytes = 0;
  const limit = kind === 'records' ? Infinity : 48 * 2 ** 20;
  for (let i = 0; kind === 'records' ? i < 500 : bytes < limit; i++) {
    const s = one(i);
    parts.push(s);
    bytes += s.length + 1;
  }
  return Buffer.from(`{"items":[${parts.join(',')}],"next_cursor":null}`);
}

interface Measure {
  s: number;
  stallMs: number;
  hwmMb: number;
  outcome: string;
}

function hwmMb(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

async function child(what: string, url: string): Promise<Measure> {
  const { httpPollSource } = await import('../connectors/http-poll/index.ts');
  const { readJson } = await import('../src/formats/json-reader.ts');
  const { testContext } = await import('../test/support/context.ts');
  const h = monitorEventLoopDelay({ resolution: 10 });
  let outcome = '';
  const t = performance.now();
  h.enable();
  if (what === 'connector') {
    const conn = httpPollSource.create({ url, recordsPath: 'items' }, testContext('bench-poll')) as import('../connectors/http-poll/index.ts').HttpPollSource;
    const units = await conn.claim(null);
    let parts = 0;
    let bytes = 0;
    for (const unit of units) {
      for await (const part of conn.read(unit, null)) {
        parts++;
        for await (const c of part.stream) bytes += (c as Buffer).length;
      }
    }
    await conn.close();
    outcome = `${units.length} unit, ${parts} part, ${(bytes / 2 ** 20).toFixed(1)} MiB`;
  } else {
    const res = await fetch(url);
    const body = Buffer.from(await res.arrayBuffer());
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += 64 * 1024) chunks.push(body.subarray(i, i + 64 * 1024));
    let records = 0;
    for await (const b of readJson(Readable.from(chunks), { records: 'items' })) records += b.items.length;
    outcome = `${records} records`;
  }
  const s = (performance.now() - t) / 1000;
  // A stall is recorded when the loop turns again: turn it before reading the histogram.
  await new Promise((r) => setTimeout(r, 50));
  h.disable();
  return { s, stallMs: h.max / 1e6, hwmMb: hwmMb(), outcome };
}

async function main(): Promise<void> {
  if (args.child) {
    console.log(JSON.stringify(await child(args.child, args.url!)));
    return;
  }
  const rounds = Number(args.rounds);
  console.log(`http-poll page benchmark: ${machine()}, ${load()}`);
  console.log('connector = claim + read (each part drained), as a poll runs it; reader = the mapping\'s JSON reader over the same page (the one parse a page needs)');
  for (const kind of ['hostile', 'records', 'large']) {
    if (args.only && args.only !== kind) continue;
    const body = page(kind);
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    for (const what of ['connector', 'reader']) {
      const ms: Measure[] = [];
      for (let i = 0; i < rounds; i++) {
        // The server runs in this process: the child runs asynchronously so that it can answer.
        const { stdout } = await execFileAsync(
          process.execPath,
          [path.resolve(import.meta.dirname, '../bin/run-ts.js'), import.meta.filename, '--child', what, '--url', url],
          { maxBuffer: 1 << 20 },
        );
        const out = stdout;
        ms.push(JSON.parse(out.trim().split('\n').at(-1)!) as Measure);
      }
      const m = (f: (x: Measure) => number): number => median(ms.map(f));
      console.log(
        `${kind.padEnd(8)} ${(body.length / 2 ** 20).toFixed(1).padStart(5)} MiB  ${what.padEnd(9)} ${m((x) => x.s).toFixed(2).padStart(6)} s  longest stall ${m((x) => x.stallMs).toFixed(0).padStart(6)} ms  peak RSS ${m((x) => x.hwmMb).toFixed(0).padStart(5)} MB  (${ms[0]!.outcome})`,
      );
    }
    await new Promise<void>((r) => server.close(() => r()));
  }
}

await main();
