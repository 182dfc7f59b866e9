#!/usr/bin/env node
// The `cgic` executable. The hub is written in TypeScript and runs through tsx's loader, so a fresh
// clone needs no build step: `npm install` is enough.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
