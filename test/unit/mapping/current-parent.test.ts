/**
 * `current()/..`: the parent of the element a field is evaluated on, as in XPath. A record made for each
 * armed-with code of an arrestee reaches the arrest the report associates with that arrestee (the
 * association points at the arrestee, the code's parent), whatever order the associations come in.
 */
import { describe, expect, it } from 'vitest';
import { ConfigProblems } from '../../../src/config/problems.ts';
import { compileSpec } from '../../../src/mapping/load.ts';
import type { MappingSpec } from '../../../src/mapping/spec.ts';
import { mapText } from './helpers.ts';

const NS = { r: 'urn:example:report:1', s: 'http://release.niem.gov/niem/structures/3.0/' };

const DOC = `<?xml version="1.0"?>
<r:Report xmlns:r="${NS.r}" xmlns:s="${NS.s}">
  <r:Ori>CT0006400</r:Ori>
  <r:Arrestee s:id="P1"><r:ArmedWith>12</r:ArmedWith><r:ArmedWith>15A</r:ArmedWith></r:Arrestee>
  <r:Arrestee s:id="P2"><r:ArmedWith>14</r:ArmedWith></r:Arrestee>
  <r:Arrest s:id="A1"><r:Id>ARR-1</r:Id></r:Arrest>
  <r:Arrest s:id="A2"><r:Id>ARR-2</r:Id></r:Arrest>
  <r:Association><r:Activity s:ref="A2"/><r:Subject s:ref="P2"/></r:Association>
  <r:Association><r:Activity s:ref="A1"/><r:Subject s:ref="P1"/></r:Association>
</r:Report>
`;

function spec(contextId: string): MappingSpec {
  return {
    id: 'current-parent',
    version: 1,
    direction: 'inbound',
    namespaces: NS,
    source: { format: 'xml', xml: { record: '/r:Report' } },
    records: [
      {
        type: 'WeaponInvolved',
        forEach: 'r:Arrestee/r:ArmedWith',
        fields: {
          agencyOri: '$/r:Ori',
          agencyCaseNumber: { value: '24-000001' },
          context: { value: 'arrest' },
          contextId,
          sequence: { value: 1 },
          'category.code': { from: '.' },
          'category.system': { value: 'NIBRS-WEAPON' },
          'category.text': { from: '.' },
        },
      },
    ],
  };
}

describe('current()/..', () => {
  it('climbs from the element the field is evaluated on, inside a predicate of an id() argument', async () => {
    const r = await mapText(spec('id($/r:Association[r:Subject/@s:ref = current()/../@s:id]/r:Activity/@s:ref)/r:Id'), DOC);
    expect(r.invalid).toEqual([]);
    expect(r.records.map((x) => [(x.category as { code: string }).code, x.contextId])).toEqual([
      ['12', 'ARR-1'],
      ['15A', 'ARR-1'],
      ['14', 'ARR-2'],
    ]);
  });

  it('current()/../.. climbs two levels; a path without current() is unchanged', async () => {
    const r = await mapText(spec('current()/../../r:Ori'), DOC);
    expect(r.records.map((x) => x.contextId)).toEqual(['CT0006400', 'CT0006400', 'CT0006400']);
  });

  it('is refused in a JSON path, which has no parent to climb to', async () => {
    const json: MappingSpec = { id: 'j', version: 1, direction: 'inbound', source: { format: 'json' }, records: [{ type: 'Case', fields: { agencyOri: 'ori', agencyCaseNumber: "items[k=current()/../x]/n" } }] };
    const err = await compileSpec(json).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigProblems);
    expect((err as ConfigProblems).problems[0]?.message).toContain('"current()/.." is for XML');
  });
});
