/**
 * Outbound mappings: a canonical document (a lead package) rendered as CSV, JSON, NDJSON or namespaced
 * XML for one agency, in the recipient's time zone.
 */
import { describe, expect, it } from 'vitest';
import { ConfigProblems } from '../../../src/config/problems.ts';
import { compileSpec } from '../../../src/mapping/load.ts';
import { RunContext } from '../../../src/mapping/runtime.ts';
import type { MappingSpec, OutputSpec } from '../../../src/mapping/spec.ts';
import { outbound } from './helpers.ts';

const LEAD = {
  leadId: 'LEAD-26-0001',
  agency: { ori: 'CT0015100', name: 'Hartford PD' },
  events: [
    { occurredAt: '2026-03-14T18:22:00Z', caseNumber: '=cmd|\' /C calc\'!A0', note: 'scene, rear lot', phone: '+1 555 0100', shots: -3 },
    { occurredAt: '2026-01-14T19:22:00Z', caseNumber: 'HPD-26-0002', note: 'said "drop it"', phone: '@SUM(A1)', shots: 2 },
  ],
};

function spec(output: OutputSpec, extra: Partial<MappingSpec> = {}): MappingSpec {
  return { id: 'out-test', version: 1, direction: 'outbound', output, ...extra };
}

async function render(s: MappingSpec, doc: unknown = LEAD, zone = 'America/New_York') {
  return (await outbound(s)).render(doc, new RunContext(zone));
}

const OCCURRED = { from: 'occurredAt', ops: [{ formatDate: { format: 'MM/dd/yyyy HH:mm' } }] };

describe('CSV output', () => {
  const csv = spec({
    format: 'csv',
    forEach: 'events',
    fields: { 'Lead ID': '$/leadId', 'Agency ORI': '../agency/ori', Case: 'caseNumber', Occurred: OCCURRED, Note: 'note', Phone: 'phone', Shots: 'shots' },
  });

  it('writes a header in field order and one CRLF-terminated row per element', async () => {
    const r = await render(csv);
    expect(r.errors).toEqual([]);
    expect(r.mediaType).toBe('text/csv; charset=utf-8');
    const lines = r.body.split('\r\n');
    expect(lines[0]).toBe('Lead ID,Agency ORI,Case,Occurred,Note,Phone,Shots');
    expect(lines).toHaveLength(4); // header, two rows, '' after the last CRLF
    expect(lines[3]).toBe('');
    expect(r.body.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('escapes cells a spreadsheet would run as formulas, keeping negative numbers', async () => {
    const r = await render(csv);
    const rows = r.body.split('\r\n');
    expect(rows[1]).toBe(`LEAD-26-0001,CT0015100,'=cmd|' /C calc'!A0,03/14/2026 14:22,"scene, rear lot",'+1 555 0100,-3`);
    expect(rows[2]).toBe(`LEAD-26-0001,CT0015100,HPD-26-0002,01/14/2026 14:22,"said ""drop it""",'@SUM(A1),2`);
  });

  it('can leave formulas alone, drop the header, use LF and quote everything', async () => {
    const s = spec({ format: 'csv', forEach: 'events', csv: { header: false, lineEnding: 'lf', quote: 'all', formulaEscape: false }, fields: { Case: 'caseNumber', Shots: 'shots' } });
    expect((await render(s)).body).toBe(`"=cmd|' /C calc'!A0","-3"\n"HPD-26-0002","2"\n`);
  });

  it('formats dates in the recipient\'s time zone', async () => {
    const chicago = await render(spec({ format: 'csv', forEach: 'events', fields: { Occurred: OCCURRED } }), LEAD, 'America/Chicago');
    expect(chicago.body).toBe('Occurred\r\n03/14/2026 13:22\r\n01/14/2026 13:22\r\n');
    const fixed = await render(spec({ format: 'csv', forEach: 'events', fields: { Occurred: { from: 'occurredAt', ops: [{ formatDate: { format: 'HH:mm', timezone: 'UTC' } }] } } }), LEAD, 'America/Chicago');
    expect(fixed.body).toBe('Occurred\r\n18:22\r\n19:22\r\n');
  });

  it('leaves a cell empty when the value is absent', async () => {
    const r = await render(spec({ format: 'csv', forEach: 'events', fields: { Case: 'caseNumber', Missing: 'nothing/here' } }));
    expect(r.body.split('\r\n')[2]).toBe('HPD-26-0002,');
  });
});

describe('required values', () => {
  it('missing: HUB_ERR_RECORD_REQUIRED for each element, pointing into that element, and an empty body', async () => {
    const r = await render(spec({ format: 'csv', forEach: 'events', fields: { Case: 'caseNumber', Detective: { from: 'detective/name', required: true } } }));
    expect(r.body).toBe('');
    expect(r.errors.map((e) => [e.code, e.field, e.pointer])).toEqual([
      ['HUB_ERR_RECORD_REQUIRED', 'Detective', { jsonPointer: '/events/0/detective/name' }],
      ['HUB_ERR_RECORD_REQUIRED', 'Detective', { jsonPointer: '/events/1/detective/name' }],
    ]);
  });

  it('a bad date in the document: HUB_ERR_RECORD_DATE and an empty body', async () => {
    const r = await render(spec({ format: 'json', fields: { when: OCCURRED } }), { occurredAt: 'soon' });
    expect(r.body).toBe('');
    expect(r.errors.map((e) => e.code)).toEqual(['HUB_ERR_RECORD_DATE']);
  });
});

describe('JSON and NDJSON output', () => {
  it('JSON: one object, nested lists from forEach with fields', async () => {
    const r = await render(spec({ format: 'json', fields: { lead: '$/leadId', ori: 'agency/ori', events: { forEach: 'events', fields: { case: 'caseNumber', at: OCCURRED } } } }));
    expect(r.mediaType).toBe('application/json');
    expect(r.body.endsWith('\n')).toBe(true);
    expect(JSON.parse(r.body)).toEqual({
      lead: 'LEAD-26-0001',
      ori: 'CT0015100',
      events: [
        { case: LEAD.events[0]!.caseNumber, at: '03/14/2026 14:22' },
        { case: 'HPD-26-0002', at: '01/14/2026 14:22' },
      ],
    });
  });

  it('JSON with forEach: an array of objects', async () => {
    const r = await render(spec({ format: 'json', forEach: 'events', fields: { case: 'caseNumber' } }));
    expect(JSON.parse(r.body)).toEqual([{ case: LEAD.events[0]!.caseNumber }, { case: 'HPD-26-0002' }]);
  });

  it('NDJSON with forEach: one object per line', async () => {
    const r = await render(spec({ format: 'ndjson', forEach: 'events', fields: { lead: '$/leadId', case: 'caseNumber', shots: { from: 'shots', ops: ['integer'] } } }));
    expect(r.mediaType).toBe('application/x-ndjson');
    const lines = r.body.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines.slice(0, 2).map((l) => JSON.parse(l))).toEqual([
      { lead: 'LEAD-26-0001', case: LEAD.events[0]!.caseNumber, shots: -3 },
      { lead: 'LEAD-26-0001', case: 'HPD-26-0002', shots: 2 },
    ]);
  });
});

describe('XML output', () => {
  const NS = { cgic: 'urn:cgic:lead:1', nc: 'http://release.niem.gov/niem/niem-core/5.0/' };
  const xml = spec(
    {
      format: 'xml',
      xml: { root: 'cgic:LeadPackage' },
      fields: {
        '@version': { value: '1' },
        'cgic:LeadID': '$/leadId',
        'nc:Organization': { fields: { '@nc:id': 'agency/ori', 'nc:OrganizationName': { value: 'Smith & Wesson <Forensics>' } } },
        'cgic:Event': { forEach: 'events', fields: { '@seq': 'shots', 'cgic:CaseNumber': 'caseNumber', 'cgic:Occurred': OCCURRED } },
      },
    },
    { namespaces: NS },
  );

  it('declares the namespaces on the root and writes prefixed elements, attributes and repeated elements', async () => {
    const r = await render(xml);
    expect(r.errors).toEqual([]);
    expect(r.mediaType).toBe('application/xml; charset=utf-8');
    expect(r.body).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<cgic:LeadPackage xmlns:cgic="${NS.cgic}" xmlns:nc="${NS.nc}" version="1">`,
        '  <cgic:LeadID>LEAD-26-0001</cgic:LeadID>',
        '  <nc:Organization nc:id="CT0015100">',
        '    <nc:OrganizationName>Smith &amp; Wesson &lt;Forensics&gt;</nc:OrganizationName>',
        '  </nc:Organization>',
        '  <cgic:Event seq="-3">',
        '    <cgic:CaseNumber>=cmd|&apos; /C calc&apos;!A0</cgic:CaseNumber>',
        '    <cgic:Occurred>03/14/2026 14:22</cgic:Occurred>',
        '  </cgic:Event>',
        '  <cgic:Event seq="2">',
        '    <cgic:CaseNumber>HPD-26-0002</cgic:CaseNumber>',
        '    <cgic:Occurred>01/14/2026 14:22</cgic:Occurred>',
        '  </cgic:Event>',
        '</cgic:LeadPackage>',
        '',
      ].join('\n'),
    );
  });

  it('escapes entities in attributes too, and can drop the declaration and indentation', async () => {
    const s = spec({ format: 'xml', xml: { root: 'c:R', declaration: false, indent: false }, fields: { '@c:a': 'v', 'c:T': 'v', 'c:Id': { forEach: 'ids' } } }, { namespaces: { c: 'urn:c' } });
    const r = await render(s, { v: 'a & "b" <c>', ids: ['1', '2'] });
    expect(r.body).toBe('<c:R xmlns:c="urn:c" c:a="a &amp; &quot;b&quot; &lt;c&gt;"><c:T>a &amp; &quot;b&quot; &lt;c&gt;</c:T><c:Id>1</c:Id><c:Id>2</c:Id></c:R>');
  });

  it('writes a character XML 1.0 cannot hold (a control character, an unpaired surrogate, U+FFFF) as U+FFFD, in text and attributes: the document stays well-formed', async () => {
    // A town of "East\vHartford\x1b[31m" from a lab export made an agency's lead package unreadable to its XML parser.
    const s = spec({ format: 'xml', xml: { root: 'c:R', declaration: false, indent: false }, fields: { '@c:a': 'v', 'c:T': 'v', 'c:Id': { forEach: 'ids' } } }, { namespaces: { c: 'urn:c' } });
    const r = await render(s, { v: 'East\u000bHartford\u001b[31m\u0000', ids: ['tab\there\r\nok', 'lone \ud800 end \uffff', 'gun 🔫 \u2028 é'] });
    expect(r.body).toBe(
      '<c:R xmlns:c="urn:c" c:a="East\ufffdHartford\ufffd[31m\ufffd"><c:T>East\ufffdHartford\ufffd[31m\ufffd</c:T>' +
        '<c:Id>tab\there\r\nok</c:Id><c:Id>lone \ufffd end \ufffd</c:Id><c:Id>gun 🔫 \u2028 é</c:Id></c:R>',
    );
  });

  it.each([
    [{ format: 'xml', xml: { root: 'c:R' }, fields: { 'q:X': 'v' } }, '/output/fields', 'namespace prefix "q" of q:X is not declared in namespaces'],
    [{ format: 'xml', xml: { root: 'c:R' }, fields: { 'c:X': { fields: { '@q:y': 'v' } } } }, '/output/fields', 'namespace prefix "q" of @q:y is not declared in namespaces'],
    [{ format: 'xml', xml: { root: 'q:R' }, fields: { 'c:X': 'v' } }, '/output/xml/root', 'namespace prefix "q" of the root is not declared in namespaces'],
    [{ format: 'xml', forEach: 'events', xml: { root: 'c:R' }, fields: { 'c:X': 'v' } }, '/output/forEach', 'an XML output is one document: repeat elements with forEach inside fields instead'],
  ] as [OutputSpec, string, string][])('refuses %j at compile time', async (output, pointer, message) => {
    const err = await compileSpec(spec(output, { namespaces: { c: 'urn:c' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigProblems);
    expect((err as ConfigProblems).problems.map((p) => [p.code, p.pointer, p.message])).toEqual([['HUB_ERR_MAPPING_INVALID', pointer, message]]);
  });
});
