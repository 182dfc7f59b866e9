import type { FixedWidthSpec } from '../formats/fixed-width-reader.ts';
/** The shape of a mapping file once parsed and checked against schemas/mapping.schema.json. */
import type { NamespacesSpec } from './namespaces.ts';

export type OpSpec = string | Record<string, unknown>;

export interface ConditionSpec {
  field?: string;
  present?: boolean;
  equals?: string | number | boolean;
  in?: (string | number | boolean)[];
  matches?: string;
  ignoreCase?: boolean;
  not?: ConditionSpec;
  all?: ConditionSpec[];
  any?: ConditionSpec[];
}

/** What a mapping may read of its run's context (the connector's agency): see RunContext.agency. */
export const CONTEXT_VALUES = ['agency.ori', 'agency.timeZone'] as const;
export type ContextValue = (typeof CONTEXT_VALUES)[number];

export interface FieldSpecObject {
  from?: string | string[];
  value?: unknown;
  /** A value of the run's context: the connector's agency ORI or time zone. */
  context?: ContextValue;
  concat?: FieldSpecInput[];
  /** Alternates, each a field with its own from, when and ops: the first that gives a value is the value. */
  firstOf?: FieldSpecInput[];
  separator?: string;
  forEach?: string;
  fields?: Record<string, FieldSpecInput>;
  ops?: OpSpec[];
  default?: unknown;
  required?: boolean;
  /** An empty value is a warning (HUB_ERR_RECORD_EMPTY, counted and listed with its pointer); the record is kept. */
  warnIfEmpty?: boolean;
  when?: ConditionSpec;
  description?: string;
}

export type FieldSpecInput = string | FieldSpecObject;

export interface RecordSpec {
  type: string;
  description?: string;
  /** Source values checked with operations but not written anywhere (e.g. a Y/N column with no canonical field). */
  checks?: Record<string, FieldSpecInput>;
  when?: ConditionSpec;
  forEach?: string;
  fields: Record<string, FieldSpecInput>;
}

export interface SourceSpec {
  format: 'csv' | 'xml' | 'json' | 'ndjson' | 'fixed-width';
  encoding?: string;
  /** What a record with encoding damage gets (src/formats/encoding-check.ts). @defaultValue 'warn' */
  encodingErrors?: 'warn' | 'refuse';
  csv?: { delimiter?: string; quote?: string; escape?: string; headerRow?: number; relaxColumnCount?: boolean; comment?: string };
  xml?: { record: string; ids?: string[]; leadingComments?: 'error' | 'allow' };
  json?: { records?: string };
  /** The record layout of a fixed-width segment file (src/formats/fixed-width-reader.ts). */
  fixedWidth?: FixedWidthSpec;
  /** Path of the source's own id of the source record, or the paths whose values together are it (docs/corrections.md). */
  recordId?: string | string[];
  /** Where the source record says whether it is an upsert, a replace or a delete. */
  action?: { from: string; values?: Record<string, SourceAction> };
  /**
   * Path of the ORI of the agency the source record is of. A connector without allowOtherAgencies
   * refuses a replace or delete of another agency (HUB_ERR_RECORD_SOURCE_AGENCY): its id need not
   * hold the ORI, so it would withdraw what the connector's own agency published under that id.
   */
  agency?: string;
}

/** What a source record asks for: see src/mapping/source-identity.ts. */
export type SourceAction = 'upsert' | 'replace' | 'delete';

export interface OutputSpec {
  format: 'csv' | 'json' | 'ndjson' | 'xml';
  forEach?: string;
  csv?: { header?: boolean; delimiter?: string; lineEnding?: 'crlf' | 'lf'; quote?: 'auto' | 'all'; formulaEscape?: boolean; bom?: boolean };
  xml?: { root: string; declaration?: boolean; indent?: boolean };
  fields: Record<string, FieldSpecInput>;
}

export interface MappingSpec {
  id: string;
  version: number;
  description?: string;
  direction: 'inbound' | 'outbound';
  system?: string;
  timezone?: string;
  classification?: 'cji' | 'les' | 'public';
  /** Prefix -> namespace URI, or URIs read as the first (src/mapping/namespaces.ts). */
  namespaces?: NamespacesSpec;
  source?: SourceSpec;
  records?: RecordSpec[];
  output?: OutputSpec;
}
