/** What a compiled source path offers the compiler: values, existence, and the scopes of a forEach. */
import type { Scope } from './runtime.ts';

export interface Accessor {
  /** The path as written in the mapping, or for CSV the column as the file's header spells it (used in error pointers). */
  readonly source: string;
  /** The path leads somewhere non-empty: a value, or (XML) an element with text or child elements. */
  exists?(scope: Scope): boolean;
  /** The first value at the path, or undefined. */
  one(scope: Scope): unknown;
  /** Every match (elements for XML, array items for JSON), for forEach. */
  all(scope: Scope): unknown[];
  /** The scope of each match `all` returns (JSON: with its pointer), for the fields a forEach evaluates on it. */
  scopes(scope: Scope): Scope[];
}

export type Format = 'csv' | 'xml' | 'json';
