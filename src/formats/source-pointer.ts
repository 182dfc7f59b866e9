/**
 * Where a value came from: enough for an operator to open the file and put a finger on it.
 * Rows are 1-based data rows (the header is not a row); lines are 1-based physical lines of the file.
 */
export interface SourcePointer {
  file?: string;
  /** 1-based data row (CSV), record index (XML/JSON). */
  row?: number;
  /** 1-based physical line where the record starts. */
  line?: number;
  /** CSV column header, or 1-based column number. */
  column?: string | number;
  /** XML: the element path, e.g. /lims:Export/lims:Case[3]/lims:Item[2]. */
  xpath?: string;
  /** JSON: RFC 6901 pointer into the document (or into the NDJSON line). */
  jsonPointer?: string;
}

/** `lims.csv row 12 (line 13) column MAKE`; parts that are unknown are left out. */
export function formatPointer(p: SourcePointer | undefined): string {
  if (!p) return '';
  const parts: string[] = [];
  if (p.file) parts.push(p.file);
  if (p.row !== undefined) parts.push(p.line !== undefined ? `row ${p.row} (line ${p.line})` : `row ${p.row}`);
  else if (p.line !== undefined) parts.push(`line ${p.line}`);
  if (p.column !== undefined) parts.push(`column ${p.column}`);
  if (p.xpath) parts.push(p.xpath);
  if (p.jsonPointer !== undefined) parts.push(`#${p.jsonPointer}`);
  return parts.join(' ');
}
