/**
 * Need-to-know: what a recipient agency may see of a lead.
 *
 * An agency sees its own events in full; another agency's events only in the fields a sharing rule
 * allows (the default: agency name and ORI, agency case number, investigator contact, date, town,
 * offense category), never person data unless a rule names `persons`. The CGIC analysts (agencies of
 * kind `cgic`) see everything. Every package records which fields of whose events it disclosed. The
 * records a lead still lacks are named under the same rule: another agency's case number or lab case
 * number only where its events' numbers may be shown to the recipient.
 */
import type { EnrichedEvent, EnrichedLead } from './correlate.ts';

export { SHAREABLE_FIELDS, DEFAULT_SHARED, type ShareableField, type SharingRule, type SharingConfig } from './sharing-rules.ts';
import { SHAREABLE_FIELDS, type ShareableField, type SharingRule, type SharingConfig } from './sharing-rules.ts';

/** Fields of `owner`'s events that `recipient` may see: the most specific rule, else the default. */
export function allowedFields(sharing: SharingConfig, recipient: string, owner: string): readonly ShareableField[] {
  const score = (r: SharingRule): number => (r.recipient === recipient ? 2 : r.recipient === '*' ? 0 : -10) + (r.owner === owner ? 1 : r.owner === '*' ? 0 : -10);
  const best = sharing.rules.filter((r) => score(r) >= 0).sort((a, b) => score(b) - score(a))[0];
  return best ? best.fields : sharing.default;
}

export interface RedactedView {
  events: Record<string, unknown>[];
  /** owner ORI -> fields disclosed of that owner's events ("*" for full disclosure). */
  fieldsDisclosed: Record<string, string[]>;
  /** The lead's missing records as this recipient may see them (see `missingFor`). */
  missing: string[];
}

export function redactFor(lead: EnrichedLead, recipient: string, full: boolean, sharing: SharingConfig): RedactedView {
  const fieldsDisclosed: Record<string, string[]> = {};
  const events = lead.events.map((e) => {
    const own = full || e.agency.ori === recipient;
    if (own) {
      fieldsDisclosed[e.agency.ori] = ['*'];
      return { ...withoutUndefined(e), disclosure: 'full' };
    }
    const allowed = new Set(allowedFields(sharing, recipient, e.agency.ori));
    const out: Record<string, unknown> = { eventId: e.eventId, disclosure: 'restricted', role: e.role };
    out.agency = allowed.has('agency') || allowed.has('contact')
      ? { ori: e.agency.ori, ...(allowed.has('agency') && e.agency.name ? { name: e.agency.name } : {}), ...(allowed.has('contact') && e.agency.contact ? { contact: e.agency.contact } : {}) }
      : { ori: e.agency.ori };
    for (const f of SHAREABLE_FIELDS) {
      if (f === 'agency' || f === 'contact') continue;
      const v = (e as unknown as Record<string, unknown>)[f];
      if (allowed.has(f) && v !== undefined) out[f] = v;
    }
    const disclosed = [...allowed].filter((f) => f === 'agency' || f === 'contact' || (e as unknown as Record<string, unknown>)[f] !== undefined).sort();
    fieldsDisclosed[e.agency.ori] = [...new Set([...(fieldsDisclosed[e.agency.ori] ?? []), ...disclosed])].sort();
    return out;
  });
  return { events, fieldsDisclosed, missing: missingFor(lead, recipient, full, sharing) };
}

/**
 * `Case <ORI>|<number>` and `LabCase <number>` entries of a lead's missing list, for a recipient: as they
 * are for the analysts, for the recipient's own case, and where the owner's sharing rule shows the
 * recipient that number (`agencyCaseNumber`, `labCaseNumbers`); otherwise the number is withheld and
 * only the owner's ORI (which every event discloses) is named.
 */
export function missingFor(lead: EnrichedLead, recipient: string, full: boolean, sharing: SharingConfig): string[] {
  if (full) return [...lead.missing];
  const shows = (owner: string, field: ShareableField): boolean => owner === recipient || allowedFields(sharing, recipient, owner).includes(field);
  return lead.missing.map((m) => {
    if (m.startsWith('Case ')) {
      const owner = m.slice(5).split('|')[0]!;
      return shows(owner, 'agencyCaseNumber') ? m : `Case of ${owner} (case number withheld)`;
    }
    if (m.startsWith('LabCase ')) {
      const lab = m.slice(8);
      const owners = lead.events.filter((e) => e.labCaseNumbers?.includes(lab)).map((e) => e.agency.ori);
      if (owners.some((o) => shows(o, 'labCaseNumbers'))) return m;
      return owners.length ? `LabCase of ${owners[0]} (number withheld)` : 'LabCase (number withheld)';
    }
    return m;
  });
}

function withoutUndefined(e: EnrichedEvent): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
}
