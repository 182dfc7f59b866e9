import { ERRORS, formatMessage, type ErrorClass, type ErrorCode } from './registry.ts';
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

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, pointer?: SourcePointer, options?: ErrorOptions) {
    super(formatMessage(code, params), options);
    this.name = 'HubError';
    this.code = code;
    this.errorClass = ERRORS[code].class;
    this.status = ERRORS[code].status;
    this.pointer = pointer;
    this.params = params;
  }

  toReport(): ErrorReport {
    const report: ErrorReport = { code: this.code, class: this.errorClass, message: this.message };
    if (typeof this.params.field === 'string') report.field = this.params.field;
    if (this.params.value !== undefined) report.value = String(this.params.value);
    if (this.pointer) report.pointer = this.pointer;
    return report;
  }
}

export function errorReport(
  code: ErrorCode,
  params: Record<string, unknown>,
  pointer?: SourcePointer,
): ErrorReport {
  return new HubError(code, params, pointer).toReport();
}

/** One line for a person: `lims.csv row 12 (line 13) column MAKE: HUB_ERR_RECORD_DATE ...`. */
export function formatReport(r: ErrorReport): string {
  const where = formatPointer(r.pointer);
  return `${where ? where + ': ' : ''}${r.code} ${r.message}`;
}
