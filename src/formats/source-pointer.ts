/**
 * Where a value came from: enough for an operator to open the file and put a finger on it. The type is
 * the canonical schema's (envelope `sourceRefs[].pointer`): rows are 1-based data rows (the header is
 * not a row); lines are 1-based physical lines of the file.
 */
import type { SourcePointer } from '../canonical/types.generated.ts';

export type { SourcePointer };

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
