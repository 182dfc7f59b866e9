import { describe, expect, it } from 'vitest';
import { boundedPayload, excerpt, MESSAGE_MAX_CHARS, PAYLOAD_MAX_CHARS, VALUE_EXCERPT_CHARS } from '../../../src/errors/excerpt.ts';
import { errorReport } from '../../../src/errors/hub-error.ts';
import { formatMessage } from '../../../src/errors/registry.ts';

describe('bounded excerpts', () => {
  it('keeps short text, cuts long text to the bound and says how long it was', () => {
    expect(excerpt('abc', 10)).toBe('abc');
    const e = excerpt('x'.repeat(1000), 50);
    expect(e.length).toBeLessThanOrEqual(50);
    expect(e).toMatch(/^x+… \(1000 characters\)$/);
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(100);
    for (let max = 25; max < 40; max++) {
      const e = excerpt(text, max);
      expect(e.length).toBeLessThanOrEqual(max);
      expect(e.replace(/… \(\d+ characters\)$/, '')).toMatch(/^(?:\uD83D\uDE00)*$/);
    }
  });

  it('bounds every message: a source value to 200 characters, the whole message to 2,000', () => {
    const m = formatMessage('HUB_ERR_RECORD_DATE', { field: 'occurredAt', value: 'v'.repeat(50_000), formats: 'f'.repeat(50_000) });
    expect(m.length).toBeLessThanOrEqual(MESSAGE_MAX_CHARS);
    expect(m).toContain(`"${'v'.repeat(VALUE_EXCERPT_CHARS - 30)}`);
    expect(m).not.toContain('v'.repeat(VALUE_EXCERPT_CHARS + 1));
    const r = errorReport('HUB_ERR_RECORD_NUMBER', { field: 'n', value: 'n'.repeat(10_000), kind: 'number' });
    expect(r.value!.length).toBeLessThanOrEqual(VALUE_EXCERPT_CHARS);
  });

  it('keeps a small payload as it is and a large one as an excerpt of its JSON', () => {
    expect(boundedPayload({ A: '1', B: '2' })).toEqual({ A: '1', B: '2' });
    expect(boundedPayload('<Rec/>')).toBe('<Rec/>');
    expect(boundedPayload(undefined)).toBeUndefined();
    const big = { A: 'a'.repeat(5000), B: ['b', { c: 'c'.repeat(5000) }] };
    const p = boundedPayload(big) as { excerpt: string; truncated: boolean; chars: number };
    expect(p.truncated).toBe(true);
    expect(p.excerpt.length).toBeLessThanOrEqual(PAYLOAD_MAX_CHARS);
    expect(p.chars).toBe(JSON.stringify(big).length);
    expect(p.excerpt.startsWith('{"A":"aaa')).toBe(true);
  });
});
