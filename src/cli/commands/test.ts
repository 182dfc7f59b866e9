/**
 * `cgic test`: every mapping's golden tests, pass/fail per case; and the mappings that have none,
 * named, since a mapping without golden tests can change its output unnoticed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { HubError } from '../../errors/hub-error.ts';
import { findCases, runGoldenTests } from '../../mapping/golden.ts';
import { findMappingFiles } from '../../mapping/load.ts';
import { EXIT } from '../exit-codes.ts';
import { err, out } from '../output.ts';

/** The mapping files under the target (a folder, or all of mappings/) that have no golden case. */
function untested(target: string | undefined): string[] {
  if (target?.endsWith('.test.yaml')) return [];
  return findMappingFiles(target ? path.resolve(target) : undefined)
    .filter((f) => findCases(f).length === 0)
    .map((f) => path.relative(process.cwd(), f));
}

export async function testCommand(target: string | undefined, opts: { update?: boolean; json?: boolean }): Promise<number> {
  // A path that is not there is a wrong argument, not "no golden cases" (exit 78 as cgic validate).
  if (target !== undefined && !existsSync(target)) throw new HubError('HUB_ERR_FILE_NOT_FOUND', { path: target });
  const results = await runGoldenTests(target, { update: opts.update });
  const failed = results.filter((r) => !r.passed);
  const without = untested(target);
  if (opts.json) {
    out(JSON.stringify(results, null, 2));
  } else {
    for (const r of results) {
      const mark = r.updated ? 'updated' : r.passed ? 'pass' : 'FAIL';
      out(`${mark.padEnd(7)} ${r.mapping.padEnd(22)} ${r.case}`);
      for (const f of r.failures) err(`        ${r.file}: ${f}`);
    }
    for (const f of without) out(`${'none'.padEnd(7)} ${f}: no golden tests (add ${path.join(path.dirname(f), 'tests', '<case>.test.yaml')}: docs/mapping-language.md, "Lock it in with golden tests")`);
    const mappings = new Set(results.map((r) => r.mapping)).size;
    out(`${results.length - failed.length} passed, ${failed.length} failed (${results.length} golden cases, ${mappings} mappings)${without.length ? `; ${without.length} mapping${without.length === 1 ? '' : 's'} without golden tests` : ''}`);
  }
  if (results.length === 0) {
    err('no golden cases found (mappings/<id>/tests/*.test.yaml)');
    return EXIT.FAILED;
  }
  return failed.length ? EXIT.FAILED : EXIT.OK;
}
