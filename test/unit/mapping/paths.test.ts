/**
 * XML and JSON paths beyond plain steps: predicates (child value, attribute value, position,
 * existence, =, !=, chained), `//`, id() references, current() joins, per-element `when` on a field's
 * forEach, and the same document with every namespace prefix renamed mapping to the same records.
 * The documents are written for these tests (LEXS/NIEM-like, invented values).
 */
import { describe, expect, it } from 'vitest';
import { ConfigProblems } from '../../../src/config/problems.ts';
import { compileSpec } from '../../../src/mapping/load.ts';
import type { FieldSpecInput, MappingSpec, RecordSpec } from '../../../src/mapping/spec.ts';
import { fieldsOf, mapText } from './helpers.ts';

const NS = {
  p: 'urn:example:package:1',
  d: 'urn:example:digest:1',
  nc: 'http://niem.gov/niem/niem-core/2.0',
  s: 'http://niem.gov/niem/structures/2.0',
  x: 'urn:example:payload:1',
  ref: 'urn:example:library:1',
};

/** One package: three activities, two digest firearms, a payload whose firearms point back by id. */
function doc(prefix: (p: keyof typeof NS) => string = (p) => p): string {
  const q = (p: keyof typeof NS, local: string): string => `${prefix(p)}:${local}`;
  const decl = (Object.keys(NS) as (keyof typeof NS)[]).map((p) => `xmlns:${prefix(p)}="${NS[p]}"`).join(' ');
  const el = (p: keyof typeof NS, local: string, body: string, attrs = ''): string => `<${q(p, local)}${attrs}>${body}</${q(p, local)}>`;
  const activity = (id: string, category: string, number: string, date: string): string =>
    el('nc', 'Activity', el('nc', 'ActivityIdentification', el('nc', 'IdentificationID', number)) + el('nc', 'ActivityCategoryText', ` ${category} `) + el('nc', 'ActivityDate', el('nc', 'DateTime', date)), ` ${q('s', 'id')}="${id}"`);
  const firearm = (id: string, serial: string, make: string, meta: string): string =>
    el('nc', 'Firearm', el('nc', 'ItemSerialIdentification', el('nc', 'IdentificationID', serial)) + el('nc', 'FirearmMakeCode', make), ` ${q('s', 'id')}="${id}" ${q('s', 'metadata')}="${meta}"`);
  const payloadFirearm = (id: string, digestRef: string, model: string): string =>
    el('x', 'Firearm', el('x', 'FirearmAugmentation', `<${q('ref', 'SameAsDigestReference')} ${q('ref', 'ref')}="${digestRef}"/>` + el('nc', 'ItemModelName', model)), ` ${q('s', 'id')}="${id}"`);
  return (
    `<?xml version="1.0"?>\n<${q('p', 'Publish')} ${decl}>\n` +
    el(
      'p',
      'Package',
      el('p', 'ORI', 'CT0006400') +
        el(
          'p',
          'Digest',
          el('d', 'EntityActivity', activity('A1', 'Warrant', 'W-1', '2026-01-02T10:00:00Z')) +
            el('d', 'EntityActivity', activity('A2', 'Incident', 'HPD-26-0001', '2026-03-14T14:22:00.0Z')) +
            el('d', 'EntityActivity', activity('A3', 'Offense', 'OFF-1', '2026-03-14T14:22:00Z')) +
            el('d', 'Metadata', el('nc', 'SourceIDText', 'PROP-0007'), ` ${q('s', 'id')}="M1"`) +
            el('d', 'Metadata', el('nc', 'SourceIDText', 'PROP-0008'), ` ${q('s', 'id')}="M2"`) +
            el('d', 'EntityFirearm', firearm('F1', 'ABC123', 'SW', 'M1')) +
            el('d', 'EntityFirearm', firearm('F2', 'XYZ789', 'GLK', 'M2')) +
            el('d', 'Role', '', ` ${q('s', 'ref')}="F1 F2"`) +
            el('d', 'Note', 'plain id attribute', ' id="N1"'),
        ) +
        el('p', 'Payload', el('x', 'Report', el('x', 'Items', payloadFirearm('SP2', 'F2', 'G19') + payloadFirearm('SP1', 'F1', 'M&amp;P9')))),
    ) +
    `\n</${q('p', 'Publish')}>\n`
  );
}

function xmlSpec(records: RecordSpec[], extra: Partial<MappingSpec> = {}): MappingSpec {
  return { id: 'xml-paths', version: 1, direction: 'inbound', namespaces: NS, source: { format: 'xml', xml: { record: '//p:Package' } }, records, ...extra };
}

const INCIDENT = "p:Digest/d:EntityActivity/nc:Activity[nc:ActivityCategoryText='Incident']";

/** One Firearm per digest firearm, with the payload's detail joined by id reference. */
const FIREARMS: RecordSpec = {
  type: 'Firearm',
  forEach: 'p:Digest/d:EntityFirearm/nc:Firearm',
  fields: {
    agencyOri: '$/p:ORI',
    agencyCaseNumber: `$/${INCIDENT}/nc:ActivityIdentification/nc:IdentificationID`,
    agencyItemNumber: 'id(@s:metadata)/nc:SourceIDText',
    serial: { from: 'nc:ItemSerialIdentification/nc:IdentificationID', ops: ['serial'] },
    model: '$/p:Payload//x:Firearm[x:FirearmAugmentation/ref:SameAsDigestReference/@ref:ref = current()/@s:id]/x:FirearmAugmentation/nc:ItemModelName',
  },
};

/** A Case whose fields are the given paths (written into fields a Case has: free text or lists). */
function caseWith(fields: Record<string, FieldSpecInput>): RecordSpec {
  return { type: 'Case', fields: { agencyOri: 'p:ORI', agencyCaseNumber: { value: 'C-1' }, ...fields } };
}

async function caseFields(fields: Record<string, FieldSpecInput>, extra: Partial<MappingSpec> = {}): Promise<Record<string, unknown>> {
  const r = await mapText(xmlSpec([caseWith(fields)], extra), doc(), { file: 'pkg.xml' });
  expect(r.invalid.flatMap((i) => i.errors.map((e) => e.message))).toEqual([]);
  return fieldsOf(r.records[0]!);
}

describe('XML predicates', () => {
  it('picks a sibling by a child\'s value (trimmed, case-sensitive), by attribute, by position and by existence', async () => {
    const f = await caseFields({
      incidentNumber: `${INCIDENT}/nc:ActivityIdentification/nc:IdentificationID`,
      'location.address': "p:Digest/d:EntityActivity/nc:Activity[@s:id='A3']/nc:ActivityIdentification/nc:IdentificationID",
      'location.town': 'p:Digest/d:EntityActivity[2]/nc:Activity/nc:ActivityIdentification/nc:IdentificationID',
      agencyCaseNumber: { from: "p:Digest/d:EntityActivity/nc:Activity[nc:ActivityCategoryText='incident']/nc:ActivityIdentification/nc:IdentificationID", default: 'none' },
      labCaseNumbers: { forEach: 'p:Digest/d:Metadata[nc:SourceIDText][2]/nc:SourceIDText' },
    });
    expect(f).toMatchObject({
      incidentNumber: 'HPD-26-0001',
      location: { address: 'OFF-1', town: 'HPD-26-0001' },
      agencyCaseNumber: 'none',
      labCaseNumbers: ['PROP-0008'],
    });
  });

  it('compares with != (an absent value differs), double quotes, and chained predicates', async () => {
    const f = await caseFields({
      labCaseNumbers: { forEach: `p:Digest/d:EntityActivity/nc:Activity[nc:ActivityCategoryText != "Warrant"]/@s:id` },
      'location.address': `p:Digest/d:EntityActivity[nc:Activity/nc:ActivityCategoryText!='Warrant'][2]/nc:Activity/@s:id`,
      'location.town': `p:Digest/d:EntityActivity/nc:Activity[@s:id!='A1'][nc:ActivityCategoryText='Offense']/@s:id`,
      agencyCaseNumber: "p:Digest/d:Note[@nothing!='x']",
    });
    expect(f).toMatchObject({ labCaseNumbers: ['A2', 'A3'], location: { address: 'A3', town: 'A3' }, agencyCaseNumber: 'plain id attribute' });
  });

  it('position counts the matches of the step from each context element, after the predicates before it', async () => {
    const f = await caseFields({
      labCaseNumbers: { forEach: 'p:Digest/d:EntityActivity/nc:Activity[1]/@s:id' },
      incidentNumber: 'p:Digest/d:EntityFirearm[2]/nc:Firearm/@s:id',
      'location.town': { from: 'p:Digest/d:EntityFirearm[3]/nc:Firearm/@s:id', default: 'none' },
    });
    expect(f).toMatchObject({ labCaseNumbers: ['A1', 'A2', 'A3'], incidentNumber: 'F2', location: { town: 'none' } });
  });

  it('upper-case(), lower-case() and normalize-space() compare a value ignoring case and runs of white space', async () => {
    const f = await caseFields({
      incidentNumber: "p:Digest/d:EntityActivity/nc:Activity[upper-case(nc:ActivityCategoryText)='INCIDENT']/nc:ActivityIdentification/nc:IdentificationID",
      'location.address': "p:Digest/d:EntityActivity/nc:Activity[lower-case(nc:ActivityCategoryText) = lower-case('OFFENSE')]/@s:id",
      // Nested, on both sides; != keeps the elements none of whose values equal it.
      'location.town': "p:Digest/d:EntityActivity/nc:Activity[upper-case(normalize-space(nc:ActivityCategoryText)) != upper-case( 'warrant' )][1]/@s:id",
      // The literal is compared as written: 'Incident' is no upper-cased value.
      agencyCaseNumber: { from: "p:Digest/d:EntityActivity/nc:Activity[upper-case(nc:ActivityCategoryText)='Incident']/@s:id", default: 'none' },
    });
    expect(f).toMatchObject({ incidentNumber: 'HPD-26-0001', location: { address: 'A3', town: 'A2' }, agencyCaseNumber: 'none' });

    // normalize-space(): a run of spaces, tabs and line breaks inside a value is one space.
    const spaced = doc().replace('>plain id attribute<', '>plain \t id\n   attribute<');
    const plain = "p:Digest/d:Note[normalize-space(.)='plain id attribute']/@id";
    const r = await mapText(xmlSpec([caseWith({ incidentNumber: plain, 'location.town': { from: "p:Digest/d:Note[.='plain id attribute']/@id", default: 'none' } })]), spaced, { file: 'pkg.xml' });
    expect(fieldsOf(r.records[0]!)).toMatchObject({ incidentNumber: 'N1', location: { town: 'none' } });
  });

  it('`//` finds elements at any depth, in document order', async () => {
    const f = await caseFields({
      labCaseNumbers: { forEach: 'p:Payload//x:Firearm/@s:id' },
      // [2] after `//`: the second of all the matches below the context element, in document order.
      incidentNumber: '$//x:Firearm[2]/x:FirearmAugmentation/nc:ItemModelName',
      'location.town': { from: '$/p:Payload//nc:ItemModelName', default: 'none' },
    });
    expect(f).toMatchObject({ labCaseNumbers: ['SP2', 'SP1'], incidentNumber: 'M&P9', location: { town: 'G19' } });
  });
});

describe('id references and current()', () => {
  it('id(path) follows the reference to the element of the record carrying that id (default: attributes named id)', async () => {
    const f = await caseFields({
      incidentNumber: "id(p:Digest/d:EntityFirearm/nc:Firearm[@s:id='F2']/@s:metadata)/nc:SourceIDText",
      labCaseNumbers: { forEach: 'id(p:Digest/d:Role/@s:ref)/nc:FirearmMakeCode' },
      'location.town': "id('N1')",
    });
    expect(f).toMatchObject({ incidentNumber: 'PROP-0008', labCaseNumbers: ['SW', 'GLK'], location: { town: 'plain id attribute' } });
  });

  it('source.xml.ids limits the id attributes to those named', async () => {
    const f = await caseFields(
      { incidentNumber: "id('M1')/nc:SourceIDText", 'location.town': { from: "id('N1')", default: 'not an id' } },
      { source: { format: 'xml', xml: { record: '//p:Package', ids: ['s:id'] } } },
    );
    expect(f).toMatchObject({ incidentNumber: 'PROP-0007', location: { town: 'not an id' } });
  });

  it('an id of another source record is out of reach', async () => {
    const two = doc().replace('</p:Publish>', '<p:Package><p:ORI>CT0004300</p:ORI><p:Ref ref:ref="F1"/></p:Package></p:Publish>');
    const r = await mapText(xmlSpec([caseWith({ incidentNumber: { from: 'id(p:Ref/@ref:ref)/nc:FirearmMakeCode', default: 'unresolved' } })]), two);
    expect(r.records.map((x) => x.incidentNumber)).toEqual(['unresolved', 'unresolved']);
  });

  it('joins the payload detail to each digest firearm with current(), whatever the order', async () => {
    const r = await mapText(xmlSpec([FIREARMS]), doc());
    expect(r.invalid).toEqual([]);
    expect(r.records.map((x) => [x.agencyItemNumber, (x.serial as { raw: string }).raw, x.model])).toEqual([
      ['PROP-0007', 'ABC123', 'M&P9'],
      ['PROP-0008', 'XYZ789', 'G19'],
    ]);
  });
});

describe('prefix independence', () => {
  it('the same document with every namespace prefix renamed gives the same records', async () => {
    const spec = xmlSpec([
      caseWith({
        incidentNumber: `${INCIDENT}/nc:ActivityIdentification/nc:IdentificationID`,
        occurredAt: { from: `${INCIDENT}/nc:ActivityDate/nc:DateTime`, ops: [{ date: { formats: ['xs:dateTime'] } }] },
        labCaseNumbers: { forEach: "id(p:Digest/d:Role/@s:ref)[nc:FirearmMakeCode!='SW']/@s:id" },
      }),
      FIREARMS,
    ], { source: { format: 'xml', xml: { record: '//p:Package', ids: ['s:id'] } } });
    const renamed = doc((p) => `z${p}9`);
    expect(renamed).toContain('<znc9:Activity zs9:id="A2">');
    const a = await mapText(spec, doc());
    const b = await mapText(spec, renamed);
    expect(a.records).toHaveLength(3);
    expect(a.records[0]).toMatchObject({ incidentNumber: 'HPD-26-0001', occurredAt: '2026-03-14T14:22:00+00:00', labCaseNumbers: ['F2'] });
    // Equal but for the XPath in provenance, which names elements as the document does.
    const withoutXpath = (rs: typeof a.records) => rs.map((r) => ({ ...r, sourceRefs: r.sourceRefs.map((s) => ({ ...s, pointer: { ...s.pointer, xpath: undefined } })) }));
    expect(withoutXpath(b.records)).toEqual(withoutXpath(a.records));
    expect(b.records[0]!.sourceRefs[0]!.pointer!.xpath).toBe('/zp9:Publish[1]/zp9:Package[1]');
  });
});

describe('field-level forEach with when', () => {
  it('tests when on each element (XML), for lists of objects and lists of values', async () => {
    const f = await caseFields({
      offenses: {
        forEach: 'p:Digest/d:EntityActivity/nc:Activity',
        when: { not: { field: 'nc:ActivityCategoryText', equals: 'Warrant' } },
        fields: { code: '@s:id', system: { value: 'TEST' }, text: 'nc:ActivityIdentification/nc:IdentificationID' },
      },
      labCaseNumbers: { forEach: 'p:Digest/d:Metadata/nc:SourceIDText', when: { field: '.', matches: '8$' } },
    });
    expect(f.offenses).toEqual([
      { code: 'A2', system: 'TEST', text: 'HPD-26-0001' },
      { code: 'A3', system: 'TEST', text: 'OFF-1' },
    ]);
    expect(f.labCaseNumbers).toEqual(['PROP-0008']);
  });

  it('with forEach ".", when is tested on the record as before', async () => {
    const spec: MappingSpec = {
      id: 'csv-dot',
      version: 1,
      direction: 'inbound',
      source: { format: 'csv' },
      records: [{ type: 'LabCase', fields: { labCaseNumber: 'LAB', submissions: { forEach: '.', when: { field: 'SUB', present: true }, fields: { submissionNumber: 'SUB' } } } }],
    };
    const r = await mapText(spec, 'LAB,SUB\nL1,S1\nL2,\n');
    expect(r.records.map((x) => x.submissions)).toEqual([[{ submissionNumber: 'S1' }], undefined]);
  });
});

describe('JSON predicates', () => {
  const spec = (fields: Record<string, FieldSpecInput>, forEach?: string): MappingSpec => ({
    id: 'json-paths',
    version: 1,
    direction: 'inbound',
    source: { format: 'json', json: { records: 'data' } },
    records: [
      forEach
        ? { type: 'Firearm', forEach, fields: { agencyOri: '../ori', agencyCaseNumber: '../case', agencyItemNumber: 'no', ...fields } }
        : { type: 'Firearm', fields: { agencyOri: 'ori', agencyCaseNumber: 'case', agencyItemNumber: { value: 'all' }, ...fields } },
    ],
  });
  const body = JSON.stringify({
    data: [
      {
        ori: 'CT0006400',
        case: 'C-1',
        weapons: [
          { no: '1', kind: 'handgun', recovered: true, serial: 'A1', tags: ['x', 'seized'] },
          { no: '2', kind: 'rifle', recovered: false, serial: 'B2' },
          { no: '3', kind: 'rifle', recovered: true, serial: '' },
        ],
        owner: { kind: 'person', name: 'N' },
      },
    ],
  });

  it("selects array elements by a key's value, by position (1-based), by existence and with !=", async () => {
    const r = await mapText(
      spec({
        model: "weapons[kind='rifle'][2]/no",
        importer: "weapons[kind!='rifle']/serial",
        country: "weapons[recovered='false']/serial",
        labCaseNumber: 'weapons[tags]/no',
        itemNumber: "weapons[tags='seized']/no",
        recoveredBy: { from: "owner[kind='person']/name", ops: [{ map: { values: { N: 'CT0006400' } } }] },
        privatelyMade: { from: 'weapons[2]/kind', ops: [{ map: { values: { rifle: false } } }] },
      }),
      body,
    );
    expect(r.invalid).toEqual([]);
    expect(fieldsOf(r.records[0]!)).toMatchObject({ model: '3', importer: 'A1', country: 'B2', labCaseNumber: '1', itemNumber: '1', recoveredBy: 'CT0006400', privatelyMade: false });
  });

  it('compares ignoring case with upper-case() on an array step', async () => {
    const r = await mapText(spec({ model: "weapons[upper-case(kind)='RIFLE'][1]/no", importer: "weapons[lower-case(kind)='HANDGUN']/no" }), body);
    expect(r.invalid).toEqual([]);
    expect(fieldsOf(r.records[0]!)).toMatchObject({ model: '2' });
    expect(fieldsOf(r.records[0]!)).not.toHaveProperty('importer');
  });

  it('a forEach over a filtered array points each record at its own element', async () => {
    const r = await mapText(spec({}, "weapons[recovered='true']"), body, { file: 'page.json' });
    expect(r.records.map((x) => x.agencyItemNumber)).toEqual(['1', '3']);
    expect(r.records.map((x) => x.sourceRefs[0]!.pointer)).toEqual([
      { file: 'page.json', row: 1, jsonPointer: '/data/0/weapons/0' },
      { file: 'page.json', row: 1, jsonPointer: '/data/0/weapons/2' },
    ]);
  });
});

describe('path syntax errors are located mapping problems', () => {
  it.each([
    ["p:A[p:B='x'", 'expected "]" at the end'],
    ['p:A[p:B=42]', "quote the value you compare with ('42')"],
    ["p:A[p:B='x' and p:C='y']", '"and" / "or" are not supported'],
    ['p:A[0]', 'positions count from 1'],
    ["p:A[q:B='x']", 'namespace prefix "q" is not declared'],
    ['id(p:A/@ref', 'expected ")" closing id('],
    ['p:A//', '"//" must be followed by a name'],
    ['p:A/../p:B', '".." may only start a path'],
    ['p:A[upper-case(p:B)]', "upper-case() alone is no test: compare it"],
    ["p:A[lower-case(p:B='x']", 'expected ")" closing lower-case('],
  ])('%s: %s', async (path, message) => {
    const err = await compileSpec(xmlSpec([caseWith({ incidentNumber: path })])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigProblems);
    const p = (err as ConfigProblems).problems[0]!;
    expect(p.pointer).toBe('/records/0/fields/incidentNumber/from');
    expect(p.message).toContain(message);
  });

  it('refuses id() and // in JSON paths', async () => {
    for (const path of ['id(ref)/name', 'a//b']) {
      const s: MappingSpec = { id: 'j', version: 1, direction: 'inbound', source: { format: 'json' }, records: [{ type: 'Case', fields: { agencyOri: path, agencyCaseNumber: 'c' } }] };
      await expect(compileSpec(s)).rejects.toThrow(/XML/);
    }
  });

  it('refuses an undeclared prefix in source.xml.ids', async () => {
    const err = await compileSpec(xmlSpec([caseWith({})], { source: { format: 'xml', xml: { record: '//p:Package', ids: ['q:id'] } } })).catch((e: unknown) => e);
    expect((err as ConfigProblems).problems.map((p) => p.pointer)).toEqual(['/source/xml/ids']);
  });
});
