/**
 * A file of another kind dropped where NIBRS flat files are expected (the lab's CSV export, the same
 * report as NIBRS XML, the XML in UTF-16) is refused whole with HUB_ERR_SOURCE_FIXED_LAYOUT: one clear
 * refusal, not an entry per line. The LIMS CSV's fifth characters are digits, some 0, the level of a
 * zero report: without the layout's `match` its lines were read as zero reports with a bad action.
 */
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { HubError } from '../../src/errors/hub-error.ts';
import { InboundMapping } from '../../src/mapping/inbound.ts';
import { loadMapping, PROJECT_ROOT } from '../../src/mapping/load.ts';
import { emptySummary, mapStream } from '../../src/mapping/run.ts';

async function refusal(input: Readable): Promise<unknown> {
  const mapping = (await loadMapping('nibrs-flat')) as InboundMapping;
  try {
    for await (const _ of mapStream(mapping, input, emptySummary(), { file: 'dropped' })) void _;
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('nibrs-flat: a file of another kind', () => {
  const fixture = (f: string): string => path.join(PROJECT_ROOT, 'fixtures', f);
  it.each([
    ['the LIMS CSV export', () => createReadStream(fixture('scenario/lims.csv'))],
    ['the same report as NIBRS XML', () => createReadStream(fixture('nibrs/group-a-incident.xml'))],
    ['the flat file itself in UTF-16', () => Readable.from([iconv.encode(readFileSync(fixture('nibrs-flat/group-a-incident.txt'), 'latin1'), 'utf-16le', { addBOM: false })])],
  ])('%s is refused whole, HUB_ERR_SOURCE_FIXED_LAYOUT', async (_what, input) => {
    const err = await refusal(input());
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('HUB_ERR_SOURCE_FIXED_LAYOUT');
  });
});
