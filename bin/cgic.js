#!/usr/bin/env node
// The `cgic` executable. The hub is written in TypeScript; a fresh clone needs no build step: `npm
// install` is enough. It runs compiled once into node_modules/.cache (bin/compile.js: no TypeScript
// loader stays in the process), or through tsx's loader when that cache cannot be made.
import { compiledEntry } from './compile.js';

// `cgic ... | head`: a closed pipe ends the output quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
let entries = await compiledEntry('src/runtime/heap.ts', 'src/runtime/regexp-guard.ts', 'src/cli/main.ts');
if (entries) {
  // Stack traces name the .ts files and lines, as under tsx.
  process.setSourceMapsEnabled(true);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entries = ['../src/runtime/heap.ts', '../src/runtime/regexp-guard.ts', '../src/cli/main.ts'];
}
// Memory follows what the process holds, not the size of the files it streams (src/runtime/heap.ts).
const { limitHeapGrowth } = await import(entries[0]);
const heap = limitHeapGrowth();
if (heap.warning) process.stderr.write(`cgic: ${heap.warning}\n`);
// No value makes a pattern hold the process: a match that backtracks too long goes on in linear time (src/runtime/regexp-guard.ts).
const { guardBacktracking } = await import(entries[1]);
guardBacktracking();
const { main } = await import(entries[2]);
process.exitCode = await main(process.argv.slice(2));
