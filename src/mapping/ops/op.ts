import type { CodeTables } from '../../codes/index.ts';
import type { FieldSite, Fail, RunContext } from '../runtime.ts';

/** A compiled operation: one step of a field's pipeline. Returns the new value, or FAIL after reporting. */
export type OpFn = (value: unknown, run: RunContext, site: FieldSite) => unknown | Fail;

export interface CompileEnv {
  readonly codeTables: CodeTables;
  /** The mapping's default time zone (IANA). */
  readonly timezone: string;
}

/**
 * A named operation of the mapping language. The set is closed: a mapping can only name these.
 * A new operation is a new definition here, with its argument schema, its docs example and its tests.
 */
export interface OpDefinition {
  readonly name: string;
  /** One sentence for the reference. */
  readonly summary: string;
  /** JSON Schema of the arguments; absent for an operation that takes none. */
  readonly args?: Record<string, unknown>;
  /** May be written as a bare name (`- trim`); true for operations without required arguments. */
  readonly bare: boolean;
  /** Applied to each element when the value is a list. */
  readonly elementwise: boolean;
  /** A YAML example for the reference, as it appears in a field's `ops` list. */
  readonly example: string;
  /** What the example turns into, for the reference. */
  readonly exampleResult: string;
  compile(args: unknown, env: CompileEnv): OpFn;
}

export function defineOp(def: OpDefinition): OpDefinition {
  return def;
}
