/**
 * The records a lead still lacks are named to each recipient under the sharing rules: a number the
 * recipient may not see of another agency's events is withheld, naming only the owner's ORI.
 */
import { describe, expect, it } from 'vitest';
import type { EnrichedLead } from '../../../src/enrich/correlate.ts';
import { DEFAULT_SHARED, missingFor, redactFor, type SharingConfig } from '../../../src/enrich/sharing.ts';

const A = 'CT0006400';
const B = 'CT0004300';
const lead: EnrichedLead = {
  leadId: 'NL-1',
  status: 'LEAD_UNCONFIRMED',
  events: [
    { eventId: 'E1', agency: { ori: A }, agencyCaseNumber: '24-1', labCaseNumbers: ['L-A'], role: 'scene' },
    { eventId: 'E2', agency: { ori: B }, agencyCaseNumber: '24-2', labCaseNumbers: ['L-B'], role: 'test-fire' },
  ],
  links: [],
  missing: [`Case ${A}|24-1`, `Case ${B}|24-2`, 'LabCase L-A', 'LabCase L-B'],
};

describe('missing records under the sharing rules', () => {
  it('the default rule: case numbers shown, another agency\'s lab case number withheld', () => {
    const sharing: SharingConfig = { default: DEFAULT_SHARED, rules: [] };
    expect(missingFor(lead, A, false, sharing)).toEqual([`Case ${A}|24-1`, `Case ${B}|24-2`, 'LabCase L-A', `LabCase of ${B} (number withheld)`]);
    expect(redactFor(lead, A, false, sharing).missing).toEqual(missingFor(lead, A, false, sharing));
  });

  it('a rule that hides case numbers withholds them; one that shares lab case numbers shows them; analysts see all', () => {
    const sharing: SharingConfig = { default: DEFAULT_SHARED, rules: [{ recipient: A, owner: B, fields: ['agency', 'labCaseNumbers'] }] };
    expect(missingFor(lead, A, false, sharing)).toEqual([`Case ${A}|24-1`, `Case of ${B} (case number withheld)`, 'LabCase L-A', 'LabCase L-B']);
    expect(missingFor(lead, B, true, sharing)).toEqual(lead.missing);
  });
});
