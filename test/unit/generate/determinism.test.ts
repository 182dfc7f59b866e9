import { describe, expect, it } from 'vitest';
import { GENERATOR_KINDS, generate, seedNumber } from '../../../src/generate/index.ts';
import { HubError } from '../../../src/errors/hub-error.ts';
import { generateToBuffer } from './helpers.ts';
import { Writable } from 'node:stream';

const ROWS: Record<string, number> = { 'lims-csv': 1500, 'lims-xml': 60, 'nibin-leads': 80, 'etrace': 120, 'ndex-xml': 90, 'nibrs-xml': 90 };

describe('generators are deterministic', () => {
  for (const kind of GENERATOR_KINDS) {
    it(`${kind}: same seed and rows give identical bytes; another seed gives different bytes`, async () => {
      const rows = ROWS[kind] as number;
      const a = await generateToBuffer(kind, { rows, seed: 42 });
      const b = await generateToBuffer(kind, { rows, seed: 42 });
      const c = await generateToBuffer(kind, { rows, seed: 43 });
      expect(a.buf.length).toBeGreaterThan(1000);
      expect(a.buf.equals(b.buf)).toBe(true);
      expect(a.summary).toEqual(b.summary);
      expect(a.buf.equals(c.buf)).toBe(false);
      expect(a.summary.rows).toBe(rows);
      expect(a.summary.bytes).toBe(a.buf.length);
    });
  }

  it('a prefix of the rows is the same whatever rows were asked for (the world does not depend on rows)', async () => {
    const small = await generateToBuffer('nibin-leads', { rows: 30, seed: 5 });
    const large = await generateToBuffer('nibin-leads', { rows: 90, seed: 5 });
    expect(large.buf.subarray(0, small.buf.length).equals(small.buf)).toBe(true);
    for (const kind of ['ndex-xml', 'nibrs-xml'] as const) {
      // The XML files differ only in where the document is closed.
      const a = (await generateToBuffer(kind, { rows: 40, seed: 5 })).buf.toString('utf8');
      const b = (await generateToBuffer(kind, { rows: 120, seed: 5 })).buf.toString('utf8');
      const cut = a.lastIndexOf(kind === 'ndex-xml' ? '</lexs:DataItemPackage>' : '</nibrs:Submission>');
      expect(cut).toBeGreaterThan(0);
      expect(b.startsWith(a.slice(0, cut))).toBe(true);
    }
  });

  it('string seeds are hashed to a stable number', () => {
    expect(seedNumber('demo')).toBe(seedNumber('demo'));
    expect(seedNumber('demo')).not.toBe(seedNumber('demo2'));
    expect(seedNumber(7)).toBe(7);
    expect(seedNumber(-1)).toBe(0xffffffff);
  });

  it('rows = 0 writes only the header or the empty document', async () => {
    const csv = await generateToBuffer('lims-csv', { rows: 0, seed: 1 });
    expect(csv.buf.toString('latin1')).toMatch(/^LAB_CASE_NO,[A-Z_,]+\r\n$/);
    const xml = await generateToBuffer('lims-xml', { rows: 0, seed: 1 });
    expect(xml.buf.toString()).toContain('<LimsExport');
    expect(xml.buf.toString()).toContain('</LimsExport>');
  });

  it('rejects bad options with HUB_ERR_CLI_USAGE', async () => {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await expect(generate('lims-csv', { rows: -1, seed: 1 }, sink)).rejects.toBeInstanceOf(HubError);
    await expect(generate('lims-csv', { rows: 1.5, seed: 1 }, sink)).rejects.toMatchObject({ code: 'HUB_ERR_CLI_USAGE' });
    await expect(generate('lims-csv', { rows: 5, seed: 1, bom: true }, sink)).rejects.toMatchObject({ code: 'HUB_ERR_CLI_USAGE' });
    await expect(generate('nope' as never, { rows: 5, seed: 1 }, sink)).rejects.toMatchObject({ code: 'HUB_ERR_CLI_USAGE' });
    await expect(generate('rms-xml' as never, { rows: 5, seed: 1 }, sink)).rejects.toThrow(/retired: use ndex-xml/);
  });
});
