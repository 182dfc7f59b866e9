import { describe, expect, it } from 'vitest';
import { generateToBuffer } from './helpers.ts';

interface Msg {
  messageType: 'LEAD_NOTICE' | 'LEAD_UPDATE';
  messageId: string;
  version: number;
  sentAt: string;
  leadId: string;
  status: string;
  nibinSite: string;
  caliber: string;
  change: { type: string; eventIds: string[]; links: { from: string; to: string }[] };
  events: { eventId: string; ibisCaseId: string; ibisExhibitIds: string[]; labCaseNumber: string; agencyOri: string; agencyCaseNumber: string; role: string; occurredAt: string; addedAt: string }[];
  links: { from: string; to: string; status: string; conclusion: string | null; examiner: string | null; confirmedAt: string | null }[];
}

describe('nibin-leads', () => {
  it('writes `rows` NDJSON lines that parse, and each lead reads as a consistent history', async () => {
    const { buf, summary } = await generateToBuffer('nibin-leads', { rows: 1500, seed: 17 });
    const text = buf.toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(1500);
    const msgs = lines.map((l) => JSON.parse(l) as Msg);
    const byLead = new Map<string, Msg[]>();
    for (const m of msgs) {
      let list = byLead.get(m.leadId);
      if (!list) byLead.set(m.leadId, (list = []));
      list.push(m);
    }
    expect(summary.counts.leads).toBe(msgs.filter((m) => m.messageType === 'LEAD_NOTICE').length);
    const changeTypes = new Set<string>();
    const linkStatuses = new Set<string>();
    let crossAgency = 0;
    for (const [leadId, list] of byLead) {
      expect(list[0]?.messageType, leadId).toBe('LEAD_NOTICE');
      expect(list.map((m) => m.version)).toEqual(list.map((_, i) => i + 1));
      let prev: Msg | undefined;
      for (const m of list) {
        changeTypes.add(m.change.type);
        expect(m.messageId).toBe(`${leadId}.v${m.version}`);
        expect(m.events.length).toBeGreaterThanOrEqual(2);
        expect(m.events.length).toBeLessThanOrEqual(5);
        const ids = new Set(m.events.map((e) => e.eventId));
        // Links join every pair of events, and only events of the lead.
        expect(m.links).toHaveLength((m.events.length * (m.events.length - 1)) / 2);
        for (const l of m.links) {
          expect(ids.has(l.from) && ids.has(l.to)).toBe(true);
          linkStatuses.add(l.status);
          expect(l.status === 'LEAD_UNCONFIRMED').toBe(l.confirmedAt === null);
        }
        for (const e of m.events) {
          expect(e.ibisCaseId).toMatch(/^IB\d{2}-\d{6}$/);
          expect(e.ibisExhibitIds.length).toBeGreaterThan(0);
          expect(['scene', 'test-fire']).toContain(e.role);
          expect(e.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00-0[45]:00$/);
        }
        const hit = m.links.some((l) => l.status === 'CONFIRMED_HIT');
        expect(m.status).toBe(m.status === 'WITHDRAWN' ? 'WITHDRAWN' : hit ? 'CONFIRMED_HIT' : 'LEAD_UNCONFIRMED');
        if (prev) {
          expect(m.sentAt >= prev.sentAt).toBe(true);
          // Leads only grow: earlier events stay, unchanged.
          expect(m.events.slice(0, prev.events.length)).toEqual(prev.events);
          if (m.change.type === 'EVENT_ADDED') expect(m.events.length).toBeGreaterThan(prev.events.length);
        }
        prev = m;
      }
      if (new Set(list[list.length - 1]?.events.map((e) => e.agencyOri)).size > 1) crossAgency++;
    }
    expect(changeTypes).toEqual(new Set(['LEAD_CREATED', 'EVENT_ADDED', 'LINK_CONCLUDED', 'LEAD_WITHDRAWN']));
    expect(linkStatuses).toEqual(new Set(['LEAD_UNCONFIRMED', 'CONFIRMED_HIT', 'ELIMINATED', 'INCONCLUSIVE']));
    expect(crossAgency / byLead.size).toBeGreaterThan(0.5);
  });
});
