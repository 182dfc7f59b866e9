/**
 * `lims-xml`: the same LIMS data as a namespaced XML export, one `<LabCase>` per lab case.
 *
 * Input: the world (seed) and `rows` = lab cases. Output: UTF-8 XML in the default namespace
 * `urn:example:lims:export:1`, items nested as the lab numbers them (1 > 1.1), dates in one format
 * (local `YYYY-MM-DDTHH:MM:SS`), the LIMS spellings of the CSV. No deliberately bad records.
 * Layout: mappings/lims-xml/README.md.
 */
import { LAB } from './catalog.ts';
import { submissionsInOrder } from './lims-csv.ts';
import { Sink, checkRows, xmlEscape as a, xmlText as x } from './sink.ts';
import { isoLocal } from './time.ts';
import type { GenerateOptions, GenerateSummary } from './types.ts';
import { World, type Item, type LabCase } from './world.ts';

export const LIMS_XML_NAMESPACE = 'urn:example:lims:export:1';

function el(indent: string, name: string, value: string): string {
  return value === '' ? '' : `${indent}<${name}>${x(value)}</${name}>\n`;
}

function itemOpen(item: Item, indent: string): string {
  let s = `${indent}<Item number="${a(item.number)}" type="${a(item.type)}">\n`;
  const i2 = indent + '  ';
  s += el(i2, 'AgencyItemNumber', item.agencyItem);
  s += el(i2, 'Description', item.description);
  s += el(i2, 'Caliber', item.caliberText);
  s += el(i2, 'Headstamp', item.headstamp);
  const f = item.firearm;
  if (f) {
    s += `${i2}<Firearm>\n`;
    const i3 = i2 + '  ';
    s += el(i3, 'Make', f.makeText);
    s += el(i3, 'Model', f.model.model);
    s += f.serialText === ''
      ? `${i3}<SerialNumber obliterated="${f.obliterated}"/>\n`
      : `${i3}<SerialNumber obliterated="${f.obliterated}">${x(f.serialText)}</SerialNumber>\n`;
    s += el(i3, 'GunType', f.typeText);
    s += `${i2}</Firearm>\n`;
  }
  if (item.nibin) {
    s += `${i2}<Nibin>\n`;
    s += el(i2 + '  ', 'IbisCaseId', item.nibin.ibisCaseId);
    s += el(i2 + '  ', 'IbisExhibitId', item.nibin.exhibitId);
    s += el(i2 + '  ', 'AcquiredDate', isoLocal(item.nibin.acquiredAt));
    s += `${i2}</Nibin>\n`;
  }
  return s;
}

export function renderLabCase(lc: LabCase): string {
  let s = `  <LabCase number="${a(lc.number)}">\n`;
  for (const ac of lc.agencyCases) {
    s += `    <Agency ori="${a(ac.agency.ori)}">\n`;
    s += el('      ', 'Name', ac.agency.name);
    s += el('      ', 'CaseNumber', ac.caseNumber);
    s += el('      ', 'Offense', ac.offense);
    s += el('      ', 'OffenseDate', isoLocal(ac.occurredAt));
    s += el('      ', 'Town', ac.town);
    s += `      <Investigator>\n${el('        ', 'Name', ac.investigator)}${el('        ', 'Phone', ac.phone)}      </Investigator>\n`;
    s += `    </Agency>\n`;
  }
  for (const { ac, sub } of submissionsInOrder(lc)) {
    s += `    <Submission number="${sub.number}" agencyOri="${a(ac.agency.ori)}" agencyCaseNumber="${a(ac.caseNumber)}">\n`;
    s += el('      ', 'ReceivedDate', isoLocal(sub.receivedAt));
    // Items arrive parent first, children right after: close elements with a stack of open numbers.
    const open: string[] = [];
    for (const item of sub.items) {
      while (open.length > 0 && open[open.length - 1] !== item.parent) {
        open.pop();
        s += `${'  '.repeat(3 + open.length)}</Item>\n`;
      }
      s += itemOpen(item, '  '.repeat(3 + open.length));
      open.push(item.number);
    }
    while (open.length > 0) {
      open.pop();
      s += `${'  '.repeat(3 + open.length)}</Item>\n`;
    }
    s += `    </Submission>\n`;
  }
  s += `  </LabCase>\n`;
  return s;
}

export async function generateLimsXml(opts: GenerateOptions, seed: number, out: NodeJS.WritableStream): Promise<GenerateSummary> {
  checkRows(opts.rows);
  const sink = new Sink(out, 'utf-8');
  const world = new World(seed);
  const counts = { labCases: 0, agencyCases: 0, items: 0 };
  sink.add(`<?xml version="1.0" encoding="UTF-8"?>\n<LimsExport xmlns="${LIMS_XML_NAMESPACE}" version="1.0" lab="${LAB.ori}" labName="${a(LAB.name)}">\n`);
  let blocks = 0;
  while (counts.labCases < opts.rows) {
    const block = world.next();
    blocks++;
    for (const lc of block.labCases) {
      if (counts.labCases >= opts.rows) break;
      sink.add(renderLabCase(lc));
      counts.labCases++;
      for (const ac of lc.agencyCases) {
        counts.agencyCases++;
        for (const sub of ac.submissions) counts.items += sub.items.length;
      }
      if (sink.full) await sink.flush();
    }
  }
  sink.add('</LimsExport>\n');
  await sink.flush();
  return { kind: 'lims-xml', seed, rows: counts.labCases, bytes: sink.bytes, encoding: 'utf-8', blocks, badRowNumbers: [], badRowKinds: {}, counts };
}
