/**
 * A weapon involved in an offense (NIBRS weapon/force category) is a fact about the offense, not a gun:
 * NIBIN correlation, and so every lead package cut from it, never reads it as a Firearm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correlate } from '../../../src/enrich/correlate.ts';
import { openStore } from '../../../src/store/open-store.ts';
import type { Store } from '../../../src/store/store.ts';

const ORI = 'CT0015100';

describe('WeaponInvolved in correlation', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
    await store.upsertRecords([
      { type: 'Case', agencyOri: ORI, agencyCaseNumber: '24-1', labCaseNumbers: ['L24-1'], offenses: [{ code: '13A', system: 'NIBRS-OFFENSE', text: 'Aggravated Assault' }] },
      { type: 'LabCase', labCaseNumber: 'L24-1', agencies: [{ ori: ORI, agencyCaseNumber: '24-1' }] },
      { type: 'EvidenceItem', labCaseNumber: 'L24-1', itemNumber: '1', kind: 'cartridge-case' },
      {
        type: 'WeaponInvolved',
        agencyOri: ORI,
        agencyCaseNumber: '24-1',
        context: 'offense',
        contextId: 'OFF-1',
        sequence: 1,
        category: { code: '12', system: 'NIBRS-WEAPON', text: 'Handgun' },
        automatic: false,
        // Fields a Firearm lookup keys on, in case a lookup ever strays across types.
        labCaseNumber: 'L24-1',
      } as Record<string, unknown> & { type: string },
    ]);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('a test-fire event on a case with a weapon involved has no firearm, and nothing of the weapon appears', async () => {
    const lead = {
      leadId: 'NL-1',
      status: 'LEAD_UNCONFIRMED',
      events: [{ eventId: 'E1', agencyOri: ORI, agencyCaseNumber: '24-1', labCaseNumber: 'L24-1', role: 'test-fire' }],
      links: [],
    };
    const enriched = await correlate(store, lead, []);
    expect(enriched.missing).toEqual([]);
    expect(enriched.events).toHaveLength(1);
    expect(enriched.events[0]).not.toHaveProperty('firearm');
    expect(enriched.events[0]).not.toHaveProperty('recoveredNotTraced');
    expect(enriched.events[0]!.offense).toEqual({ code: '13A', system: 'NIBRS-OFFENSE', text: 'Aggravated Assault' });
    expect(JSON.stringify(enriched)).not.toMatch(/NIBRS-WEAPON|Handgun/);
  });

  it('the same case with an identified Firearm does get it: the check above is not vacuous', async () => {
    await store.upsertRecords([
      { type: 'Firearm', labCaseNumber: 'L24-1', itemNumber: '2', make: { code: 'GLC', system: 'NCIC-MAK', text: 'GLOCK' }, model: '19' },
    ]);
    const enriched = await correlate(store, { leadId: 'NL-2', status: 'LEAD_UNCONFIRMED', events: [{ eventId: 'E1', agencyOri: ORI, agencyCaseNumber: '24-1', labCaseNumber: 'L24-1', role: 'test-fire' }], links: [] }, []);
    expect(enriched.events[0]!.firearm).toMatchObject({ make: { code: 'GLC' }, model: '19' });
    expect(JSON.stringify(enriched)).not.toMatch(/NIBRS-WEAPON|Handgun/);
  });
});
