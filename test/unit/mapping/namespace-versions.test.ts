/**
 * A prefix bound to a list of namespace URIs (src/mapping/namespaces.ts): documents in any of them are
 * read as the first, element and attribute names alike, so one mapping reads every version of a
 * vocabulary whose names did not change (NIBRS XML 4.0, 4.2 and 2019.1). A URI in no list is not read;
 * a URI listed under two prefixes is a located mapping problem; an outbound mapping writes the first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMappingFile, loadMappingText } from '../../../src/mapping/load.ts';
import { RunContext } from '../../../src/mapping/runtime.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { problemsOf } from '../../support/config-problems.ts';
import { mapText, outbound, positionOf } from './helpers.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

const spec: MappingSpec = {
  id: 'ns-versions',
  version: 1,
  direction: 'inbound',
  namespaces: { l: ['urn:lims:2', 'urn:lims:1'] },
  source: { format: 'xml', xml: { record: '//l:LabCase' } },
  records: [{ type: 'LabCase', fields: { labCaseNumber: { concat: [{ from: 'l:No' }, { from: '@l:lab', required: true }], separator: '/', required: true } } }],
} as MappingSpec;

const doc = (uri: string): string => `<x:Export xmlns:x="${uri}"><x:LabCase x:lab="CTFSL"><x:No>24-FA-0001</x:No></x:LabCase></x:Export>`;

describe('namespace URIs read as another', () => {
  it('a document in the listed older URI maps exactly as one in the first', async () => {
    const current = await mapText(spec, doc('urn:lims:2'));
    const older = await mapText(spec, doc('urn:lims:1'));
    expect(current.invalid).toEqual([]);
    expect(current.records.map((r) => r.labCaseNumber)).toEqual(['24-FA-0001/CTFSL']);
    const strip = (rs: typeof current.records): unknown[] => rs.map((r) => ({ ...r, sourceRefs: undefined }));
    expect(strip(older.records)).toStrictEqual(strip(current.records));
    // The summary names the root as the document wrote it, not as it was read.
    expect(older.summary.document?.namespace).toBe('urn:lims:1');
  });

  it('a URI in no list is not read as the mapping\'s', async () => {
    const other = await mapText(spec, doc('urn:lims:3'));
    expect(other.records).toEqual([]);
    expect(other.summary.rowsRead).toBe(0);
  });

  it('a URI listed under two prefixes: HUB_ERR_MAPPING_INVALID at the second prefix', async () => {
    const file = path.join(FIXTURES, 'namespace-listed-twice.yaml');
    const [p, ...rest] = await problemsOf(loadMappingFile(file));
    expect(rest).toEqual([]);
    expect(p!.code).toBe('HUB_ERR_MAPPING_INVALID');
    expect(p!.pointer).toBe('/namespaces/old');
    expect(p!.line).toBe(positionOf(readFileSync(file, 'utf8'), 'old: urn').line);
    expect(p!.message).toContain('"urn:lims:1" is listed under "l" and "old"');
  });

  it('an empty list is refused by the schema', async () => {
    const file = path.join(FIXTURES, 'namespace-listed-twice.yaml');
    const text = readFileSync(file, 'utf8').replace('l: [urn:lims:2, urn:lims:1]', 'l: []');
    const [p] = await problemsOf(loadMappingText('empty-list.yaml', text));
    expect(p!.code).toBe('HUB_ERR_MAPPING_SCHEMA');
    expect(p!.pointer).toBe('/namespaces/l');
  });

  it('an outbound mapping declares the first URI of a list', async () => {
    const out = await outbound({
      id: 'out-ns',
      version: 1,
      direction: 'outbound',
      namespaces: { c: ['urn:c:2', 'urn:c:1'] },
      output: { format: 'xml', xml: { root: 'c:R', declaration: false, indent: false }, fields: { 'c:T': 'v' } },
    } as MappingSpec);
    expect(out.render({ v: 'x' }, new RunContext('America/New_York')).body).toBe('<c:R xmlns:c="urn:c:2"><c:T>x</c:T></c:R>');
  });
});
