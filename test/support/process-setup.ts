// Every test file runs as the hub's processes do (bin/cgic.js): a match that backtracks too long goes
// on in linear time (src/runtime/regexp-guard.ts).
import { guardBacktracking } from '../../src/runtime/regexp-guard.ts';

guardBacktracking();
