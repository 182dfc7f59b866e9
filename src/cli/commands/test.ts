/** `cgic test`: every mapping's golden tests, pass/fail per case. */
import { runGoldenTests } from '../../mapping/golden.ts';
import { EXIT } from '../exit-codes.ts';
import { err, out } from '../output.ts';

export async function testCommand(target: string | undefined, opts: { update?: boolean; json?: boolean }): Promise<number> {
  const results = await runGoldenTests(target, { update: opts.update });
  const failed = results.filter((r) => !r.passed);
  if (opts.json) {
    out(JSON.stringify(results, null, 2));
  } else {
    for (const r of results) {
      const mark = r.updated ? 'updated' : r.passed ? 'pass' : 'FAIL';
      out(`${mark.padEnd(7)} ${r.mapping.padEnd(22)} ${r.case}`);
      for (const f of r.failures) err(`        ${r.file}: ${f}`);
    }
    const mappings = new Set(results.map((r) => r.mapping)).size;
    out(`${results.length - failed.length} passed, ${failed.length} failed (${results.length} golden cases, ${mappings} mappings)`);
  }
  if (results.length === 0) {
    err('no golden cases found (mappings/<id>/tests/*.test.yaml)');
    return EXIT.FAILED;
  }
  return failed.length ? EXIT.FAILED : EXIT.OK;
}
