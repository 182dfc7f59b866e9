/** `cgic generate`: deterministic synthetic exports. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { generate, GENERATOR_KINDS as KINDS, type GeneratorKind } from '../../generate/index.ts';
import { HubError } from '../../errors/hub-error.ts';
import { EXIT } from '../exit-codes.ts';
import { err } from '../output.ts';

export const GENERATOR_KINDS: string[] = [...KINDS];

export async function generateCommand(opts: { kind: string; rows: string; seed: string; out?: string }): Promise<number> {
  const rows = Number(opts.rows);
  if (!Number.isInteger(rows) || rows < 0) throw new HubError('HUB_ERR_CLI_USAGE', { reason: `--rows must be a whole number, not "${opts.rows}"` });
  const seed = Number.isInteger(Number(opts.seed)) ? Number(opts.seed) : opts.seed;
  const sink = opts.out ? createWriteStream(opts.out) : process.stdout;
  const started = performance.now();
  const summary = await generate(opts.kind as GeneratorKind, { rows, seed: seed as number }, sink);
  if (opts.out) {
    (sink as NodeJS.WritableStream).end();
    await once(sink, 'finish');
    const secs = (performance.now() - started) / 1000;
    err(`wrote ${opts.out}: ${JSON.stringify({ ...summary, badRowNumbers: undefined })} in ${secs.toFixed(1)} s`);
  }
  return EXIT.OK;
}
