/**
 * What the commands print shows a source's file names and values as text: a crafted name cannot clear
 * the operator's terminal, recolour it, reorder a line or forge a row of a table.
 */
import { describe, expect, it } from 'vitest';
import { oneLine, printable } from '../../../src/cli/output.ts';
import { deadLetterLines, runLines, transferLines } from '../../../src/cli/views.ts';
import type { DeadLetter, Transfer } from '../../../src/store/types.ts';

const counts = { read: 3, mapped: 3, invalid: 0, damaged: 0, stored: 3, unchanged: 0, changed: 3, delivered: 3, failed: 0 };

function transfer(source: string, error?: string): Transfer {
  return {
    id: 't-1',
    connectorId: 'lab-lims-drop',
    trigger: 'file',
    source,
    status: 'succeeded',
    counts,
    createdAt: '2026-12-06T12:00:00.000Z',
    startedAt: '2026-12-06T12:00:00.000Z',
    finishedAt: '2026-12-06T12:00:01.000Z',
    ...(error ? { error } : {}),
  } as unknown as Transfer;
}

describe('printable: what a terminal would act on is shown as its escape', () => {
  it('escapes ESC, other C0 and C1 controls, DEL, bidirectional overrides and line separators; keeps tab, line feed and text', () => {
    expect(printable('esc\u001b[2Jname.csv')).toBe('esc\\u001b[2Jname.csv');
    expect(printable('a\u0000b\u0007c\u007fd\u0085e\u009bf')).toBe('a\\u0000b\\u0007c\\u007fd\\u0085e\\u009bf');
    expect(printable('invoice\u202Efdp.csv \u2066x\u2069 \u2028')).toBe('invoice\\u202efdp.csv \\u2066x\\u2069 \\u2028');
    expect(printable('line 1\nline 2\tcol é 🔫 Peña')).toBe('line 1\nline 2\tcol é 🔫 Peña');
    expect(printable('carriage\rreturn')).toBe('carriage\\u000dreturn');
  });

  it('keeps JSON valid and meaning the same', () => {
    const json = JSON.stringify({ file: 'a\u0085b\u202ec\u2028d' });
    expect(JSON.parse(printable(json))).toEqual({ file: 'a\u0085b\u202ec\u2028d' });
  });

  it('a table cell or a one-line listing shows a line break as \\n too', () => {
    expect(oneLine('new\nline.csv\tx')).toBe('new\\nline.csv\\tx');
  });
});

describe('the listings of cgic transfers, dead-letters and run', () => {
  it('a file name with a line break is one row of the transfers table, and an escape sequence is shown, not sent', () => {
    const lines = transferLines({ total: 2, offset: 0, items: [transfer('new\nline.csv'), transfer('esc\u001b[2Jname.csv')] });
    expect(lines).toHaveLength(4); // header, two rows, the count
    expect(lines[1]).toContain('new\\nline.csv (file)');
    expect(lines.map(printable).join('\n')).not.toMatch(/\u001b/);
    expect(lines.map(printable)[2]).toContain('esc\\u001b[2Jname.csv (file)');
  });

  it('a transfer\'s error and a dead letter\'s last error stay on their line', () => {
    const run = runLines(transfer('x.csv', 'file "a\nb.csv" refused'));
    expect(run.at(-1)).toBe('  error: file "a\\nb.csv" refused');
    const d = { id: 'd-1', kind: 'unit', connectorId: 'lab', createdAt: '2026-12-06T12:00:00.000Z', attempts: [{}], lastError: 'bad\nname' } as unknown as DeadLetter;
    expect(deadLetterLines([d])[0]).toMatch(/bad\\nname$/);
  });
});
