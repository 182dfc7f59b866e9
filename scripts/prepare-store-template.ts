/**
 * Makes the embedded store's database template (src/store/pglite-template.ts), so that the hub's first
 * start copies a database instead of running PGlite's initdb (about 600 MiB for a few seconds).
 * `npm install` runs it (the `postinstall` script); it never fails the install: without a template
 * the hub's first new database makes one.
 *
 *   node bin/run-ts.js scripts/prepare-store-template.ts [--dir FOLDER]
 *
 * `--dir` makes it under FOLDER instead of node_modules/.cache/cgic-hub-pglite (the footprint
 * benchmark measures it there).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultTemplatesDir, prepareTemplate } from '../src/store/pglite-template.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' } } });
const dir = values.dir ? path.resolve(values.dir) : defaultTemplatesDir();
if (!dir) {
  console.log('cgic-hub: PGlite is not installed under a node_modules folder; the first start will create its database');
} else {
  const t0 = performance.now();
  try {
    const data = await prepareTemplate(dir);
    console.log(`cgic-hub: embedded store template ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${path.relative(process.cwd(), data) || data})`);
  } catch (err) {
    console.log(`cgic-hub: could not make the embedded store's template (${(err as Error).message.split('\n')[0]}); the first start will create its database`);
  }
}
