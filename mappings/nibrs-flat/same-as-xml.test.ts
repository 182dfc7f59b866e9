/**
 * An agency that sends its NIBRS reports as a flat file gets the records an agency sending the same
 * reports as XML gets: the same keys, ids and bodies (only the provenance differs, and the time of
 * day, which a flat file carries to the hour). Inputs: fixtures/nibrs-flat/*.txt, written segment by
 * segment from fixtures/nibrs/*.xml (the same incident, offenses, weapons, property and arrestees).
 */
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InboundMapping, type MappedRecord } from '../../src/mapping/inbound.ts';
import { loadMapping, PROJECT_ROOT } from '../../src/mapping/load.ts';
import { emptySummary, mapStream } from '../../src/mapping/run.ts';

async function records(mappingId: string, file: string, edit?: (text: string) => string): Promise<Record<string, unknown>[]> {
  const mapping = (await loadMapping(mappingId)) as InboundMapping;
  const out: MappedRecord[] = [];
  const input = edit ? Readable.from([Buffer.from(edit(readFileSync(path.join(PROJECT_ROOT, file), 'utf8')))]) : createReadStream(path.join(PROJECT_ROOT, file));
  for await (const b of mapStream(mapping, input, emptySummary(), { file: path.basename(file) })) {
    expect(b.invalid).toEqual([]);
    out.push(...b.records);
  }
  return out.map(({ sourceRefs: _refs, ...body }) => body);
}

/** An instant to the hour, as a flat file's incident hour has it. */
const toTheHour = (iso: unknown): string => String(iso).replace(/T(\d\d):\d\d:\d\d/, 'T$1:00:00');

describe('nibrs-flat: the same records as nibrs-2019 of the same report', () => {
  it('a Group A incident: its Case, three offense weapons and two arrestee weapons', async () => {
    const xml = await records('nibrs-2019', 'fixtures/nibrs/group-a-incident.xml');
    const flat = await records('nibrs-flat', 'fixtures/nibrs-flat/group-a-incident.txt');
    expect(flat.map((r) => r.key)).toEqual(xml.map((r) => r.key));
    expect(flat.map((r) => r.key)).toEqual([
      'CT0006400|24-004512',
      'CT0006400|24-004512|offense|13A|1',
      'CT0006400|24-004512|offense|120|1',
      'CT0006400|24-004512|offense|13A|2',
      'CT0006400|24-004512|offense|120|2',
      'CT0006400|24-004512|arrest|HPD-A24-0311|1',
      'CT0006400|24-004512|arrest|HPD-A24-0311|2',
    ]);
    const [xmlCase, ...xmlRest] = xml;
    const [flatCase, ...flatRest] = flat;
    expect(flatCase!.occurredAt).toBe('2024-03-01T22:00:00-05:00');
    expect(flatCase).toEqual({ ...xmlCase, occurredAt: toTheHour(xmlCase!.occurredAt) });
    // The automatic indicator (11A, 13A, 15A in XML) is a position of its own in the flat file.
    expect(flatRest.filter((r) => r.automatic === true).map((r) => r.key)).toEqual([
      'CT0006400|24-004512|offense|120|1',
      'CT0006400|24-004512|offense|13A|2',
      'CT0006400|24-004512|arrest|HPD-A24-0311|2',
    ]);
    expect(flatRest).toEqual(xmlRest);
  });

  it('an arrest transaction number with leading zeros is kept as written, in both', async () => {
    // The fixtures' arrest HPD-A24-0311 renumbered 007654321 (positions 40-51 of the flat file's arrestee segment).
    const xml = await records('nibrs-2019', 'fixtures/nibrs/group-a-incident.xml', (t) => t.replaceAll('HPD-A24-0311', '007654321'));
    const flat = await records('nibrs-flat', 'fixtures/nibrs-flat/group-a-incident.txt', (t) => t.replaceAll('HPD-A24-0311', '007654321   '));
    expect(flat.filter((r) => r.context === 'arrest').map((r) => r.key)).toEqual([
      'CT0006400|24-004512|arrest|007654321|1',
      'CT0006400|24-004512|arrest|007654321|2',
    ]);
    expect(flat.map((r) => r.key)).toEqual(xml.map((r) => r.key));
  });

  it('a Group B arrest: its Case and the arrestee weapon, keyed by the arrest transaction number', async () => {
    const xml = await records('nibrs-2019', 'fixtures/nibrs/group-b-arrest.xml');
    const flat = await records('nibrs-flat', 'fixtures/nibrs-flat/group-b-arrest.txt');
    expect(flat.map((r) => r.key)).toEqual(['CT0006400|HPD-A24-0402', 'CT0006400|HPD-A24-0402|arrest|HPD-A24-0402|1']);
    expect(flat).toEqual(xml);
  });
});
