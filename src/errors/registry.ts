/**
 * The one registry of the hub's error codes.
 *
 * Every error a person or a machine can see has a stable code `HUB_ERR_<AREA>_<WHAT>`, a message
 * template (`{name}` placeholders), the HTTP status an API answers with, and a class saying who must
 * act:
 * - `config`: an operator fixes a configuration or mapping file; retrying changes nothing.
 * - `transient`: a peer or service is unavailable; retried with backoff.
 * - `record`: this one record is bad; it is quarantined with a pointer to its source and the batch goes on.
 * - `system`: a bug in the hub; report it.
 *
 * `docs/errors.md` is generated from this table (`npm run gen:docs`) and a test keeps the two in step.
 */
export type ErrorClass = 'config' | 'transient' | 'record' | 'system';

export interface ErrorSpec {
  readonly class: ErrorClass;
  readonly status: number;
  readonly message: string;
  /** What to do about it, written for the operator who reads the message. */
  readonly fix: string;
}

export const ERRORS = {
  // --- mapping files (config) -------------------------------------------------------------------
  HUB_ERR_MAPPING_YAML: {
    class: 'config',
    status: 400,
    message: 'The file is not valid YAML: {reason}',
    fix: 'Correct the YAML syntax at the line and column given (indentation, an unclosed quote, a tab instead of spaces).',
  },
  HUB_ERR_MAPPING_SCHEMA: {
    class: 'config',
    status: 400,
    message: '{pointer} {reason}',
    fix: 'Change the value at the pointer so it matches schemas/mapping.schema.json; docs/mapping-language.md describes every key.',
  },
  HUB_ERR_MAPPING_UNKNOWN_OP: {
    class: 'config',
    status: 400,
    message: 'Unknown operation "{op}"{hint}',
    fix: 'Use one of the named operations listed in docs/mapping-language.md; a typo usually has a suggestion in the message.',
  },
  HUB_ERR_MAPPING_INVALID: {
    class: 'config',
    status: 400,
    message: '{reason}',
    fix: 'Correct the mapping as the message says: it compiles only when every reference (namespace prefix, code table, record type, field) resolves.',
  },
  HUB_ERR_MAPPING_NOT_FOUND: {
    class: 'config',
    status: 404,
    message: 'No mapping "{mapping}" (looked in {where})',
    fix: 'Check the mapping id or path; `cgic validate` lists the mappings it found.',
  },
  // --- source files (record or config) ----------------------------------------------------------
  HUB_ERR_SOURCE_CSV: {
    class: 'record',
    status: 422,
    message: 'Malformed CSV: {reason}',
    fix: 'Fix the row in the export (an unclosed quote, a wrong number of columns), or set the mapping\'s csv options (delimiter, quote, relaxColumnCount) to match the export.',
  },
  HUB_ERR_SOURCE_HEADER: {
    class: 'config',
    status: 422,
    message: 'The file has no column named {column} (header found: {header})',
    fix: 'Either the export layout changed or the mapping names the column differently: add the new name as an alternate in the mapping\'s `from` list, or fix source.csv.headerRow if the header is not on the first line.',
  },
  HUB_ERR_SOURCE_XML: {
    class: 'record',
    status: 422,
    message: 'Malformed XML: {reason}',
    fix: 'The export is not well-formed XML at the line given; records before it were read. Ask the sender for a corrected file.',
  },
  HUB_ERR_SOURCE_JSON: {
    class: 'record',
    status: 422,
    message: 'Malformed JSON: {reason}',
    fix: 'The document or NDJSON line is not valid JSON; correct it at the position given.',
  },
  HUB_ERR_SOURCE_ENCODING: {
    class: 'config',
    status: 400,
    message: 'Unknown text encoding "{encoding}"',
    fix: 'Use an encoding name iconv-lite knows, e.g. utf-8, windows-1252, latin1, utf-16le.',
  },
  // --- record values (record: quarantined, the batch goes on) ------------------------------------
  HUB_ERR_RECORD_REQUIRED: {
    class: 'record',
    status: 422,
    message: 'Required field {field} is empty',
    fix: 'The source left a required value blank: correct the source row, or give the field a `default` in the mapping if a default is right.',
  },
  HUB_ERR_RECORD_DATE: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" matches none of the date formats {formats}',
    fix: 'Correct the value in the source, or add its format to the date operation\'s `formats` list.',
  },
  HUB_ERR_RECORD_NUMBER: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" is not a {kind}',
    fix: 'Correct the value in the source; if it carries units or text, extract the number first with regexExtract.',
  },
  HUB_ERR_RECORD_BOOLEAN: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" is neither a true nor a false value ({accepted})',
    fix: 'Correct the value, or list its spelling under the boolean operation\'s `true` or `false` values.',
  },
  HUB_ERR_RECORD_ENUM: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" is not one of the mapped values ({accepted})',
    fix: 'Add the value to the `map` operation\'s `values`, or give the operation a `default`.',
  },
  HUB_ERR_RECORD_PATTERN: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" does not match /{pattern}/',
    fix: 'Correct the value, or loosen the regexExtract pattern (or set required: false on the field).',
  },
  HUB_ERR_CODE_UNKNOWN: {
    class: 'record',
    status: 422,
    message: '{field}: "{value}" is not in code table {table}',
    fix: 'If the value is a real spelling, add it to the synonym table (mappings/code-tables/); if it is a typo, correct the source. The original text is kept either way.',
  },
  HUB_ERR_RECORD_SCHEMA: {
    class: 'record',
    status: 422,
    message: '{type} record fails the canonical schema at {pointer}: {reason}',
    fix: 'The mapping produced a value the canonical schema does not allow: correct the source value or the mapping operation that produced it.',
  },
  HUB_ERR_RECORD_KEY: {
    class: 'record',
    status: 422,
    message: '{type} record has no natural key: needs {needs}',
    fix: 'Map the fields that identify the record (see schemas/canonical/, "x-natural-key"), or correct the source row that left them blank.',
  },
  // --- command line -----------------------------------------------------------------------------
  HUB_ERR_CLI_USAGE: {
    class: 'config',
    status: 400,
    message: '{reason}',
    fix: 'Run `cgic help <command>` for the command\'s arguments.',
  },
  HUB_ERR_FILE_NOT_FOUND: {
    class: 'config',
    status: 404,
    message: 'No such file: {path}',
    fix: 'Check the path; relative paths are resolved from the current directory.',
  },
  HUB_ERR_TEST_FAILED: {
    class: 'config',
    status: 422,
    message: 'Golden test {test} failed: {reason}',
    fix: 'Either the mapping changed behaviour (fix it) or the expectation is out of date (review the diff, then update the expected records).',
  },
  // --- internal ---------------------------------------------------------------------------------
  HUB_ERR_SYSTEM_INTERNAL: {
    class: 'system',
    status: 500,
    message: 'Internal error: {reason}',
    fix: 'This is a bug in the hub. Report it with the log lines around it; the record or job is kept for replay.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** Fill `{name}` placeholders of a code's message template. */
export function formatMessage(code: ErrorCode, params: Record<string, unknown> = {}): string {
  return ERRORS[code].message.replace(/\{(\w+)\}/g, (_, name: string) =>
    params[name] === undefined ? `{${name}}` : String(params[name]),
  );
}
