/**
 * `nibin-leads`: the NIBIN lead feed, NDJSON, one lead notice or lead update per line.
 *
 * Input: the world (seed) and `rows` = lines. Output: UTF-8, LF-terminated JSON lines in sentAt
 * order within each block of the world (not globally: see the README). Every message carries the
 * full current state of its lead (events and links), plus `change` saying what this message changed,
 * so a consumer can upsert by leadId and ignore versions it already has. Layout:
 * mappings/nibin-lead/README.md.
 */
import { Sink, checkRows } from './sink.ts';
import { isoOffset, isoUtc } from './time.ts';
import type { GenerateOptions, GenerateSummary } from './types.ts';
import { NIBIN_SITE, World, type LeadMessage } from './world.ts';

export const LEAD_CAVEAT =
  'NIBIN lead: investigative information only, not a confirmed identification. Confirm with the laboratory before using in any affidavit or charging decision.';

export function leadMessageJson(m: LeadMessage): string {
  return JSON.stringify({
    messageType: m.type,
    messageId: `${m.leadId}.v${m.version}`,
    version: m.version,
    sentAt: isoUtc(m.sentAt),
    leadId: m.leadId,
    status: m.status,
    nibinSite: NIBIN_SITE,
    caliber: m.caliber.name,
    caveat: LEAD_CAVEAT,
    change: { type: m.change, eventIds: m.changedEvents, links: m.changedLinks },
    events: m.events.map((e) => ({
      eventId: e.eventId,
      ibisCaseId: e.agencyCase.ibisCaseId,
      ibisExhibitIds: e.ibisExhibitIds,
      labCaseNumber: e.agencyCase.labCaseNumber,
      agencyOri: e.agencyCase.agency.ori,
      agencyName: e.agencyCase.agency.name,
      agencyCaseNumber: e.agencyCase.caseNumber,
      role: e.agencyCase.role,
      offense: e.agencyCase.offense,
      town: e.agencyCase.town,
      occurredAt: isoOffset(e.agencyCase.occurredAt),
      addedAt: isoUtc(e.addedAt),
    })),
    links: m.links.map((l) => ({
      from: l.from,
      to: l.to,
      status: l.status,
      conclusion: l.conclusion,
      examiner: l.examiner,
      confirmedAt: l.concludedAt === null ? null : isoUtc(l.concludedAt),
    })),
  });
}

export async function generateNibinLeads(opts: GenerateOptions, seed: number, out: NodeJS.WritableStream): Promise<GenerateSummary> {
  checkRows(opts.rows);
  const sink = new Sink(out, 'utf-8');
  const world = new World(seed);
  const counts = { notices: 0, updates: 0, leads: 0 };
  let lines = 0;
  let blocks = 0;
  while (lines < opts.rows) {
    const block = world.next();
    blocks++;
    for (const m of block.leadMessages) {
      if (lines >= opts.rows) break;
      sink.add(leadMessageJson(m) + '\n');
      lines++;
      if (m.type === 'LEAD_NOTICE') {
        counts.notices++;
        counts.leads++;
      } else counts.updates++;
      if (sink.full) await sink.flush();
    }
  }
  await sink.flush();
  return { kind: 'nibin-leads', seed, rows: lines, bytes: sink.bytes, encoding: 'utf-8', blocks, badRowNumbers: [], badRowKinds: {}, counts };
}
