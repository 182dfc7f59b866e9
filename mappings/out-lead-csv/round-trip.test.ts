/**
 * The CSV lead packages read back cell for cell with a standard CSV parser: one row per event, CRLF,
 * quoting of commas and quotes, and a leading "=" neutralized with a quote (CSV injection), the rest of
 * the text unchanged.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadMapping, PROJECT_ROOT } from '../../src/mapping/load.ts';
import { OutboundMapping } from '../../src/mapping/outbound.ts';
import { RunContext } from '../../src/mapping/runtime.ts';

async function render(fixture: string, zone = 'America/New_York') {
  const m = await loadMapping('out-lead-csv');
  if (!(m instanceof OutboundMapping)) throw new Error('not outbound');
  const doc = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'fixtures/lead-package', fixture), 'utf8')) as Record<string, any>;
  const r = m.render(doc, new RunContext(zone));
  expect(r.errors).toEqual([]);
  return { doc, body: r.body, rows: parse(r.body, { bom: true, columns: true }) as Record<string, string>[] };
}

describe('out-lead-csv output', () => {
  it('special characters: quoting and formula escaping survive a round trip', async () => {
    const { doc, body, rows } = await render('special-characters.json');
    expect(body.startsWith('\ufeff')).toBe(true);
    expect(body.split('\r\n')).toHaveLength(doc.events.length + 2); // header, rows, '' after the last CRLF
    expect(rows).toHaveLength(doc.events.length);
    expect(rows[0]!.Offense).toBe(`'${doc.events[0].offense.text}`);
    expect(rows[0]!['Firearm Model']).toBe('M&P9 Shield');
    expect(rows[0]!['Recovered Not Traced']).toBe('Y');
    expect(rows[0]!['Lab Case Numbers']).toBe('L24-000377; L24-000379');
    expect(rows[1]!['Agency Contact']).toBe("Det. Lee O'Sample, 203-555-0112");
  });

  it('dates are shown in the recipient\'s time zone', async () => {
    const { rows } = await render('three-agency-v1.json', 'America/Chicago');
    expect(rows.map((r) => r.Occurred)).toEqual(['03/01/2024 21:14', '03/09/2024 00:40', '03/12/2024 22:05']);
  });

  it('restricted rows leave the undisclosed cells empty', async () => {
    const { rows } = await render('three-agency-v2.json');
    const restricted = rows.filter((r) => r.Disclosure === 'restricted');
    expect(restricted).toHaveLength(2);
    for (const r of restricted) {
      for (const col of ['Offense', 'Lab Case Numbers', 'Firearm Make', 'Firearm Serial', 'Trace Status', 'Time To Crime Days', 'Recovered Not Traced']) expect(r[col]).toBe('');
    }
    expect(rows.map((r) => [r['Supersedes Version'], r['Lead Status']])).toEqual([['1', 'CONFIRMED_HIT'], ['1', 'CONFIRMED_HIT'], ['1', 'CONFIRMED_HIT']]);
  });

  it('columns are only added at the end: an importer reading by position keeps its columns', async () => {
    const { body } = await render('three-agency-v1.json');
    const [header] = parse(body, { bom: true, to_line: 1 }) as string[][];
    // The columns agencies' importers were written against, at their places (1-based in the README).
    const firstLayout = ['Lead ID', 'Version', 'Supersedes Version', 'Lead Status', 'Caliber', 'Caliber NCIC', 'Event ID', 'Event Role', 'Agency ORI', 'Agency Name', 'Agency Contact', 'Agency Case Number', 'Lab Case Numbers', 'Occurred', 'Offense', 'Town', 'Firearm Make', 'Firearm Make NCIC', 'Firearm Model', 'Firearm Serial', 'Trace Status', 'Time To Crime Days', 'Recovered Not Traced', 'Disclosure', 'Caveat'];
    expect(header!.slice(0, firstLayout.length)).toEqual(firstLayout);
    expect(header!.slice(firstLayout.length)).toEqual(['Enrichment Complete', 'Missing Records', 'Caliber Cartridge']);
    const [, row] = parse(body, { bom: true, to_line: 2 }) as string[][];
    expect(row![27]).toBe('9mm Luger');
  });
});
