/** Synthetic NIBIN lead notices for fan-out tests and the lead benchmark. */

/** A synthetic ORI for agency number i (0-based). */
export const oriOf = (i: number): string => `CT${String(100 + i).padStart(5, '0')}00`;

/** One LEAD_NOTICE line linking one event per given agency. */
export function leadLine(n: number, oris: string[]): string {
  return JSON.stringify({
    messageType: 'LEAD_NOTICE',
    messageId: `NL26-${String(n).padStart(6, '0')}.v1`,
    version: 1,
    sentAt: '2026-03-15T14:20:00Z',
    leadId: `NL26-${String(n).padStart(6, '0')}`,
    status: 'LEAD_UNCONFIRMED',
    nibinSite: 'CTFSL0000',
    caliber: '9mm Luger',
    events: oris.map((ori, j) => ({
      eventId: `NL26-${String(n).padStart(6, '0')}-E${j + 1}`,
      ibisCaseId: `IB26-${n}-${j}`,
      ibisExhibitIds: ['CC01'],
      labCaseNumber: `L26-${n}-${j}`,
      agencyOri: ori,
      agencyCaseNumber: `26-${n}-${j}`,
      role: 'scene',
      occurredAt: '2026-03-01T22:14:00-05:00',
      addedAt: '2026-03-15T14:20:00Z',
    })),
    links: oris.slice(1).map((_, j) => ({ from: `NL26-${String(n).padStart(6, '0')}-E1`, to: `NL26-${String(n).padStart(6, '0')}-E${j + 2}`, status: 'LEAD_UNCONFIRMED' })),
  });
}

