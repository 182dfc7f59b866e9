#!/usr/bin/env node
// The `cgic` executable. The hub is written in TypeScript and runs through tsx's loader, so a fresh
// clone needs no build step: `npm install` is enough.
import { register } from 'tsx/esm/api';

register();
// `cgic ... | head`: a closed pipe ends the output quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
// Memory follows what the process holds, not the size of the files it streams (src/runtime/heap.ts).
const { limitHeapGrowth } = await import('../src/runtime/heap.ts');
const heap = limitHeapGrowth();
if (heap.warning) process.stderr.write(`cgic: ${heap.warning}\n`);
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
