/**
 * The XML lead packages are well-formed, every element is in a declared namespace (cgic, NIEM 6 core,
 * NIEM 6 justice), and free text survives escaping: parsing the output gives back the package's text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { describe, expect, it } from 'vitest';
import { loadMapping, PROJECT_ROOT } from '../../src/mapping/load.ts';
import { OutboundMapping } from '../../src/mapping/outbound.ts';
import { RunContext } from '../../src/mapping/runtime.ts';

const NS = new Set([
  'https://cgic-hub.org/ns/lead-package/1.0',
  'https://docs.oasis-open.org/niemopen/ns/model/niem-core/6.0/',
  'https://docs.oasis-open.org/niemopen/ns/model/domains/justice/6.0/',
]);

async function render(fixture: string): Promise<{ doc: Record<string, any>; xml: string }> {
  const m = await loadMapping('out-lead-niem-xml');
  if (!(m instanceof OutboundMapping)) throw new Error('not outbound');
  const doc = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'fixtures/lead-package', fixture), 'utf8')) as Record<string, any>;
  const r = m.render(doc, new RunContext('America/New_York'));
  expect(r.errors).toEqual([]);
  return { doc, xml: r.body };
}

function parse(xml: string): { elements: { uri: string; local: string; text: string; attrs: Record<string, string> }[] } {
  const parser = new SaxesParser({ xmlns: true });
  const elements: { uri: string; local: string; text: string; attrs: Record<string, string> }[] = [];
  const stack: (typeof elements)[number][] = [];
  parser.on('opentag', (t: SaxesTagNS) => {
    const attrs: Record<string, string> = {};
    for (const a of Object.values(t.attributes)) attrs[a.local] = a.value;
    const e = { uri: t.uri, local: t.local, text: '', attrs };
    elements.push(e);
    stack.push(e);
  });
  parser.on('text', (s) => {
    if (stack.length) stack[stack.length - 1]!.text += s;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  return { elements };
}

describe('out-lead-niem-xml output', () => {
  for (const fixture of ['three-agency-v1.json', 'three-agency-v2.json', 'special-characters.json', 'partial-v1.json']) {
    it(`${fixture}: well-formed, every element namespaced, one cgic:LeadEvent per event`, async () => {
      const { doc, xml } = await render(fixture);
      const { elements } = parse(xml);
      expect(elements.filter((e) => !NS.has(e.uri))).toEqual([]);
      const events = elements.filter((e) => e.local === 'LeadEvent');
      expect(events.map((e) => e.attrs.disclosure)).toEqual(doc.events.map((e: { disclosure: string }) => e.disclosure));
      expect(elements.filter((e) => e.local === 'LeadLink')).toHaveLength(doc.links.length);
    });
  }

  it('free text with & < > quotes and a leading = comes back unchanged', async () => {
    const { doc, xml } = await render('special-characters.json');
    const { elements } = parse(xml);
    const texts = elements.filter((e) => e.local === 'ActivityDescriptionText').map((e) => e.text);
    expect(texts).toEqual([doc.events[0].offense.text]);
    expect(elements.find((e) => e.local === 'ItemModelName')?.text).toBe('M&P9 Shield');
    expect(elements.find((e) => e.local === 'StreetFullText')?.text).toBe('Main St & Elm St');
  });
});
