/** `cgic generate`: deterministic synthetic exports. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { generate, type GeneratorKind } from '../../generate/index.ts';
import { HubError } from '../../errors/hub-error.ts';
import { EXIT } from '../exit-codes.ts';
import { err } from '../output.ts';

export interface GenerateOptions {
  kind: string;
  rows: string;
  seed: string;
  out?: string;
  encoding?: string;
  bom?: boolean;
}

export async function generateCommand(opts: GenerateOptions): Promise<number> {
  const rows = Number(opts.rows);
  if (!Number.isInteger(rows) || rows < 0) throw new HubError('HUB_ERR_CLI_USAGE', { reason: `--rows must be a whole number, not "${opts.rows}"` });
  const seed = Number.isInteger(Number(opts.seed)) ? Number(opts.seed) : opts.seed;
  const sink = opts.out ? createWriteStream(opts.out) : process.stdout;
  const started = performance.now();
  const summary = await generate(
    opts.kind as GeneratorKind,
    {
      rows,
      seed: seed as number,
      ...(opts.encoding ? { encoding: opts.encoding as 'utf-8' | 'windows-1252' } : {}),
      ...(opts.bom ? { bom: true } : {}),
    },
    sink,
  );
  if (opts.out) {
    (sink as NodeJS.WritableStream).end();
    await once(sink, 'finish');
    const secs = (performance.now() - started) / 1000;
    const bad = summary.badRowNumbers.length;
    err(`wrote ${opts.out}: ${summary.rows} rows, ${(summary.bytes / 1e6).toFixed(1)} MB (${summary.encoding}), ${bad} deliberately bad rows ${JSON.stringify(summary.badRowKinds)}, in ${secs.toFixed(1)} s`);
    if (bad && bad <= 50) err(`  bad rows: ${summary.badRowNumbers.join(', ')}`);
  }
  return EXIT.OK;
}
