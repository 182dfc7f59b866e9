/** The closed set of mapping operations, in the order the reference documents them. */
import type { OpDefinition } from './op.ts';
import { collapseSpaces, lower, nullIf, pad, title, trim, upper } from './text.ts';
import { regexExtract, regexReplace } from './regex.ts';
import { first, join, split } from './list.ts';
import { boolean, integer, number } from './number.ts';
import { date, formatDate } from './date.ts';
import { coded, lookup, map, serial } from './codes.ts';

export const OPERATIONS: readonly OpDefinition[] = [
  trim,
  collapseSpaces,
  upper,
  lower,
  title,
  pad,
  nullIf,
  regexExtract,
  regexReplace,
  split,
  join,
  first,
  number,
  integer,
  boolean,
  date,
  formatDate,
  map,
  lookup,
  coded,
  serial,
];

export const OPERATIONS_BY_NAME: ReadonlyMap<string, OpDefinition> = new Map(OPERATIONS.map((o) => [o.name, o]));

export type { OpDefinition, OpFn, CompileEnv } from './op.ts';
