import { ERRORS, formatMessage, type ErrorClass, type ErrorCode } from './registry.ts';
import { excerpt, VALUE_EXCERPT_CHARS } from './excerpt.ts';
import { formatPointer, type SourcePointer } from '../formats/source-pointer.ts';

/** Plain-data form of an error: what quarantine stores, what the API and `--json` print. */
export interface ErrorReport {
  code: ErrorCode;
  class: ErrorClass;
  message: string;
  field?: string;
  value?: string;
  pointer?: SourcePointer;
}

/** An error with a registered code. Thrown for config/system problems; record problems are collected as reports. */
export class HubError extends Error {
  readonly code: ErrorCode;
  readonly errorClass: ErrorClass;
  readonly status: number;
  readonly pointer: SourcePointer | undefined;
  readonly params: Record<string, unknown>;
  /**
   * The message as log lines show it: `options.logged` in place of params that quote what a peer
   * sent (an API's error answer, which can carry records). The message itself goes to the transfer,
   * its quarantine entry and dead letter, behind the API's keys.
   */
  readonly logMessage: string;

  constructor(
    code: ErrorCode,
    params: Record<string, unknown> = {},
    pointer?: SourcePointer,
    options?: ErrorOptions & { logged?: Record<string, unknown> },
  ) {
    super(formatMessage(code, params), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.logMessage = options?.logged ? formatMessage(code, { ...params, ...options.logged }) : this.message;
    this.name = 'HubError';
    this.code = code;
    this.errorClass = ERRORS[code].class;
    this.status = ERRORS[code].status;
    this.pointer = pointer;
    this.params = params;
  }

  toReport(): ErrorReport {
    return reportOf(this.code, this.message, this.params, this.pointer);
  }
}

/** The report of an error, built directly (no Error object, no stack trace: bad rows are common). */
export function errorReport(
  code: ErrorCode,
  params: Record<string, unknown>,
  pointer?: SourcePointer,
): ErrorReport {
  return reportOf(code, formatMessage(code, params), params, pointer);
}

function reportOf(code: ErrorCode, message: string, params: Record<string, unknown>, pointer: SourcePointer | undefined): ErrorReport {
  const report: ErrorReport = { code, class: ERRORS[code].class, message };
  if (typeof params.field === 'string') report.field = params.field;
  if (params.value !== undefined) report.value = excerpt(String(params.value), VALUE_EXCERPT_CHARS);
  if (pointer) report.pointer = pointer;
  return report;
}

/** One line for a person: `lims.csv row 12 (line 13) column MAKE: HUB_ERR_RECORD_DATE ...`. */
export function formatReport(r: ErrorReport): string {
  const where = formatPointer(r.pointer);
  return `${where ? where + ': ' : ''}${r.code} ${r.message}`;
}
