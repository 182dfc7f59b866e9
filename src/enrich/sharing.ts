/**
 * Need-to-know: what a recipient agency may see of a lead.
 *
 * An agency sees its own events in full; another agency's events only in the fields a sharing rule
 * allows (the default: agency name and ORI, agency case number, investigator contact, date, town,
 * offense category), never person data unless a rule names `persons`. The CGIC analysts (agencies of
 * kind `cgic`) see everything. Every package records which fields of whose events it disclosed.
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
  return { events, fieldsDisclosed };
}

function withoutUndefined(e: EnrichedEvent): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
}
