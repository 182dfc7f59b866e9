/**
 * CSV output for agencies. Quoting per RFC 4180; cells that a spreadsheet would run as a formula
 * (starting with = + - @ tab or CR) are prefixed with a single quote, after OWASP's advice on CSV
 * injection: lead packages carry text typed by people in other agencies.
 */
export interface CsvWriteOptions {
  delimiter?: string;
  lineEnding?: 'crlf' | 'lf';
  quote?: 'auto' | 'all';
  formulaEscape?: boolean;
  bom?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown, o: CsvWriteOptions = {}): string {
  let s = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if ((o.formulaEscape ?? true) && FORMULA_START.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  const d = o.delimiter ?? ',';
  if (o.quote === 'all' || s.includes(d) || s.includes('"') || s.includes('\n') || s.includes('\r')) {
    return `"${s.replace(/"/g, '""')}"`;
  }
  return s;
}

export function writeCsv(header: readonly string[] | null, rows: readonly (readonly unknown[])[], o: CsvWriteOptions = {}): string {
  const eol = o.lineEnding === 'lf' ? '\n' : '\r\n';
  const d = o.delimiter ?? ',';
  const lines: string[] = [];
  if (header) lines.push(header.map((h) => csvCell(h, o)).join(d));
  for (const r of rows) lines.push(r.map((c) => csvCell(c, o)).join(d));
  return (o.bom ? '\ufeff' : '') + lines.map((l) => l + eol).join('');
}
