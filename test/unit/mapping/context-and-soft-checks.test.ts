/**
 * Mapping context and soft checks: `{ context: agency.ori }` / `{ context: agency.timeZone }` read the
 * connector's agency (one mapping for every agency on the same RMS product), records of another agency
 * are refused with HUB_ERR_RECORD_AGENCY unless the run allows other agencies (a lab's feed), and
 * `warnIfEmpty` warns (counted, listed with its pointer) without quarantining the row.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigProblems } from '../../../src/config/problems.ts';
import { compileSpec, PROJECT_ROOT } from '../../../src/mapping/load.ts';
import { InboundMapping } from '../../../src/mapping/inbound.ts';
import { emptySummary, mapStream } from '../../../src/mapping/run.ts';
import { summaryLines } from '../../../src/mapping/preview.ts';
import { formatReport } from '../../../src/errors/hub-error.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { Readable } from 'node:stream';

/** An RMS export without an ORI column: the agency comes from the connector. */
const RMS: MappingSpec = {
  id: 'rms-product-csv',
  version: 1,
  direction: 'inbound',
  source: { format: 'csv' },
  records: [
    {
      type: 'Case',
      fields: {
        agencyOri: { context: 'agency.ori', required: true },
        agencyCaseNumber: { from: 'CASE_NO', required: true },
        occurredAt: { from: 'OCCURRED', ops: [{ date: { formats: ['MM/dd/yyyy HH:mm'], timezone: 'agency' } }] },
      },
    },
    {
      type: 'Firearm',
      when: { field: 'GUN', equals: 'Y' },
      fields: {
        agencyOri: { context: 'agency.ori' },
        agencyCaseNumber: 'CASE_NO',
        agencyItemNumber: 'ITEM_NO',
        model: 'MODEL',
        serial: { from: 'SERIAL', ops: ['serial'], warnIfEmpty: true },
      },
    },
  ],
};
const CSV = 'CASE_NO,OCCURRED,GUN,ITEM_NO,MODEL,SERIAL\n24-1,03/14/2026 14:22,Y,1,G19,ABC123\n24-2,01/14/2026 14:22,Y,1,Shield,\n24-3,01/15/2026 09:00,N,,,\n';

async function run(spec: MappingSpec, text: string, opts: { agency?: { ori: string; timeZone?: string }; allowOtherAgencies?: boolean } = {}) {
  const m = await compileSpec(spec);
  if (!(m instanceof InboundMapping)) throw new Error('inbound');
  const summary = emptySummary();
  const out = { records: [] as Record<string, unknown>[], invalid: [] as { row: number; codes: string[]; errors: ReturnType<typeof formatReport>[] }[], warnings: [] as string[], summary };
  for await (const b of mapStream(m, Readable.from([Buffer.from(text)]), summary, { file: 'export.csv', receivedAt: '2026-01-01T00:00:00.000Z', ...opts })) {
    out.records.push(...b.records);
    out.invalid.push(...b.invalid.map((i) => ({ row: i.row, codes: i.errors.map((e) => e.code), errors: i.errors.map(formatReport) })));
    out.warnings.push(...b.warnings.map(formatReport));
  }
  return { ...out, mapping: m };
}

describe('{ context: agency.ori } and { context: agency.timeZone }', () => {
  it('one mapping serves two agencies: each run writes its connector\'s ORI', async () => {
    const hartford = await run(RMS, CSV, { agency: { ori: 'CT0006400', timeZone: 'America/New_York' } });
    const chicago = await run(RMS, CSV, { agency: { ori: 'IL0160000', timeZone: 'America/Chicago' } });
    expect(hartford.mapping.readsContext).toBe(true);
    expect(hartford.records.filter((r) => r.type === 'Case').map((r) => r.key)).toEqual(['CT0006400|24-1', 'CT0006400|24-2', 'CT0006400|24-3']);
    expect(chicago.records.filter((r) => r.type === 'Case').map((r) => r.key)).toEqual(['IL0160000|24-1', 'IL0160000|24-2', 'IL0160000|24-3']);
    expect(chicago.records.find((r) => r.type === 'Firearm')).toMatchObject({ agencyOri: 'IL0160000', key: 'agency:IL0160000|24-1|1' });
  });

  it('agency.timeZone is a value like any other (here written into a concat), and empty without an agency', async () => {
    const spec: MappingSpec = {
      ...RMS,
      records: [{ type: 'Case', fields: { agencyOri: { value: 'CT0006400' }, agencyCaseNumber: 'CASE_NO', 'location.town': { concat: [{ value: 'zone' }, { context: 'agency.timeZone' }], separator: ' ' } } }],
    };
    const withZone = await run(spec, CSV, { agency: { ori: 'CT0006400', timeZone: 'America/Chicago' } });
    expect(withZone.records[0]).toMatchObject({ location: { town: 'zone America/Chicago' } });
    const without = await run(spec, CSV);
    expect(without.records[0]).toMatchObject({ location: { town: 'zone' } });
  });

  it('without an agency, a required context value makes the row invalid (HUB_ERR_RECORD_REQUIRED)', async () => {
    const r = await run(RMS, CSV);
    expect(r.invalid.map((i) => i.row)).toEqual([1, 2, 3]);
    for (const i of r.invalid) expect(i.codes[0]).toBe('HUB_ERR_RECORD_REQUIRED');
  });

  it('an unknown context name fails the mapping schema; an outbound mapping cannot read the context', async () => {
    const { loadMappingText } = await import('../../../src/mapping/load.ts');
    const bad = await loadMappingText('m.yaml', 'id: m\nversion: 1\ndirection: inbound\nsource: { format: csv }\nrecords:\n  - type: Case\n    fields:\n      agencyOri: { context: agency.oris }\n      agencyCaseNumber: N\n').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigProblems);
    expect((bad as ConfigProblems).problems[0]).toMatchObject({ code: 'HUB_ERR_MAPPING_SCHEMA', line: 8, hint: 'did you mean "agency.ori"?' });
    const out = await compileSpec({ id: 'o', version: 1, direction: 'outbound', output: { format: 'json', fields: { ori: { context: 'agency.ori' } } } }).catch((e: unknown) => e);
    expect((out as ConfigProblems).problems.map((p) => p.message)).toEqual(["{ context: agency.ori } reads the connector's agency: it is for inbound mappings"]);
  });
});

describe("records of another agency than the connector's", () => {
  const LAB_EXPORT: MappingSpec = {
    id: 'lab-export',
    version: 1,
    direction: 'inbound',
    source: { format: 'csv' },
    records: [{ type: 'Case', fields: { agencyOri: 'ORI', agencyCaseNumber: 'CASE_NO' } }],
  };
  const rows = 'ORI,CASE_NO\nCT0006400,24-1\nCT0004300,24-2\nCT0006400,24-3\n';

  it('are refused with HUB_ERR_RECORD_AGENCY, pointing at the column; the agency\'s own rows pass', async () => {
    const r = await run(LAB_EXPORT, rows, { agency: { ori: 'CT0006400' } });
    expect(r.records.map((x) => x.key)).toEqual(['CT0006400|24-1', 'CT0006400|24-3']);
    expect(r.invalid.map((i) => [i.row, i.codes])).toEqual([[2, ['HUB_ERR_RECORD_AGENCY']]]);
    expect(r.invalid[0]!.errors[0]).toBe("export.csv row 2 (line 3) column ORI: HUB_ERR_RECORD_AGENCY Case record is of agency CT0004300, not of the connector's agency CT0006400");
    expect(r.summary.agency).toEqual({ ori: 'CT0006400', othersRefused: true });
    expect(summaryLines(r.summary, 'lab-export@1', 'export.csv')).toContain("  agency         CT0006400: other agencies' records refused (HUB_ERR_RECORD_AGENCY)");
  });

  it('pass when the connector allows other agencies (a lab feed), and when the run has no agency', async () => {
    const lab = await run(LAB_EXPORT, rows, { agency: { ori: 'CTFSL0000' }, allowOtherAgencies: true });
    expect(lab.invalid).toEqual([]);
    expect(lab.records).toHaveLength(3);
    const none = await run(LAB_EXPORT, rows);
    expect(none.records).toHaveLength(3);
    expect(none.summary.agency).toBeUndefined();
  });
});

describe('warnIfEmpty', () => {
  it('an empty value is a counted warning with its pointer; the row and its record are kept', async () => {
    const r = await run(RMS, CSV, { agency: { ori: 'CT0006400' } });
    expect(r.invalid).toEqual([]);
    const guns = r.records.filter((x) => x.type === 'Firearm');
    expect(guns.map((g) => g.key)).toEqual(['agency:CT0006400|24-1|1', 'agency:CT0006400|24-2|1']);
    expect(guns[1]!.serial).toBeUndefined();
    // Row 3 has no gun: the Firearm's `when` does not hold, so its serial is not looked at.
    expect(r.warnings).toEqual(['export.csv row 2 (line 3) column SERIAL: HUB_ERR_RECORD_EMPTY serial is empty (warnIfEmpty): the record is kept without it']);
    expect(r.summary.emptyValues).toMatchObject({ count: 1, byField: { serial: 1 } });
    const lines = summaryLines(r.summary, 'rms-product-csv@1', 'export.csv');
    expect(lines).toContain("  empty values   1  (serial 1; warnIfEmpty: the records are kept)");
    expect(lines).toContain(`    ${r.warnings[0]}`);
  });

  it('lists the first ten in the summary and counts the rest', async () => {
    const many = 'CASE_NO,OCCURRED,GUN,ITEM_NO,MODEL,SERIAL\n' + Array.from({ length: 12 }, (_, i) => `24-${i},,Y,1,M,\n`).join('');
    const r = await run(RMS, many, { agency: { ori: 'CT0006400' } });
    expect(r.summary.emptyValues?.count).toBe(12);
    expect(r.summary.emptyValues?.first).toHaveLength(10);
    expect(summaryLines(r.summary, 'm@1', 'x.csv')).toContain('    ... 2 more (--warnings lists them all)');
  });
});

describe('cgic map', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cgic-context-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const cgic = (...args: string[]) => spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), ...args], { encoding: 'utf8', cwd: PROJECT_ROOT });

  it('--agency gives the context and refuses other agencies; --connector runs as the configuration\'s connector', () => {
    const r = cgic('map', '-m', 'lims-csv', '-q', '--agency', 'CT0006400', 'fixtures/lims-csv/submissions-bom-utf8.csv');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('HUB_ERR_RECORD_AGENCY');
    expect(r.stderr).toContain("  agency         CT0006400 (America/New_York): other agencies' records refused (HUB_ERR_RECORD_AGENCY)");
    const lab = cgic('map', '-m', 'lims-csv', '-q', '--connector', 'lab-lims-drop', 'fixtures/lims-csv/submissions-bom-utf8.csv');
    expect(lab.status).toBe(0);
    expect(lab.stderr).toContain("  agency         CTFSL0000 (America/New_York): other agencies' records accepted (allowOtherAgencies)");
    expect(lab.stderr).toContain('(agency from connector lab-lims-drop)');
  });

  it('a mapping that reads the context says so when no agency is given', () => {
    const file = path.join(tmp, 'rms.yaml');
    writeFileSync(file, 'id: rms-ctx\nversion: 1\ndirection: inbound\nsource: { format: csv }\nrecords:\n  - type: Case\n    fields:\n      agencyOri: { context: agency.ori }\n      agencyCaseNumber: CASE_NO\n');
    const data = path.join(tmp, 'x.csv');
    writeFileSync(data, 'CASE_NO\n24-1\n');
    const r = cgic('map', '-m', file, '-c', 'none-such.yaml', data);
    expect(r.stderr).toContain('note: rms-ctx@1 reads { context: agency.* } and no agency is given');
    const ok = cgic('map', '-m', file, '--agency', 'ct0015100', data);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout.trim())).toMatchObject({ type: 'Case', key: 'CT0015100|24-1' });
  });
});
