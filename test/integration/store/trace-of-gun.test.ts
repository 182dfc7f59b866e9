/**
 * A lead's recovered gun and its trace: the trace is looked up by the gun's serial, and a serial
 * repeats across makers. A trace names its gun's purchaser and dealer, so another maker's gun's trace
 * must never be put in a lead as this gun's, and a placeholder serial ("00000") matches nothing.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, useBackend } from './backends.ts';
import { correlate } from '../../../src/enrich/correlate.ts';

const HFD = 'CT0006400';
const serialOf = (s: string) => ({ raw: s, normalized: s, obliterated: false, restored: false });
const gun = (lab: string, make: string | undefined, serial: string) => ({
  type: 'Firearm',
  key: `${lab}|1`,
  labCaseNumber: lab,
  ...(make ? { make: { code: make, text: make } } : {}),
  serial: serialOf(serial),
});
const trace = (traceNumber: string, make: string | undefined, serial: string) => ({
  type: 'Trace',
  key: traceNumber,
  traceNumber,
  requestingOri: 'CTCSP0000',
  agencyCaseNumber: `other-${traceNumber}`,
  ...(make ? { make: { code: make, text: make } } : {}),
  serial: serialOf(serial),
  status: 'completed',
  ffl: { licenseNumber: `ffl-of-${traceNumber}` },
});
const leadOf = (lab: string) => ({ leadId: `NL-${lab}`, status: 'LEAD_UNCONFIRMED', events: [{ eventId: 'E1', agencyOri: HFD, labCaseNumber: lab, role: 'test-fire' }], links: [] });

describe.each(BACKENDS)('the trace of a lead\'s gun (%s)', (backend) => {
  const ctx = useBackend(backend);

  it('a trace of another maker\'s gun with the same serial is not this gun\'s; the same maker\'s is', async () => {
    // T-1 sorts first: before makes were compared, it was taken for the Glock.
    await ctx.store.upsertRecords([gun('L24-1', 'GLK', '1234'), trace('T-1', 'SMT', '1234'), trace('T-2', 'GLK', '1234')]);
    const lead = await correlate(ctx.store, leadOf('L24-1'), []);
    expect(lead.events[0]!.trace).toMatchObject({ traceNumber: 'T-2' });
    expect(lead.events[0]!.recoveredNotTraced).toBe(false);
  });

  it('only another maker\'s trace: the gun is recovered and not traced', async () => {
    await ctx.store.upsertRecords([gun('L24-2', 'GLK', '5678'), trace('T-3', 'SMT', '5678')]);
    const lead = await correlate(ctx.store, leadOf('L24-2'), []);
    expect(lead.events[0]!.trace).toBeUndefined();
    expect(lead.events[0]!.recoveredNotTraced).toBe(true);
  });

  it('a trace or a gun without a make code is matched by the serial, as before', async () => {
    await ctx.store.upsertRecords([gun('L24-3', undefined, '9012'), trace('T-4', 'SMT', '9012'), gun('L24-4', 'GLK', '3456'), trace('T-5', undefined, '3456')]);
    expect((await correlate(ctx.store, leadOf('L24-3'), [])).events[0]!.trace).toMatchObject({ traceNumber: 'T-4' });
    expect((await correlate(ctx.store, leadOf('L24-4'), [])).events[0]!.trace).toMatchObject({ traceNumber: 'T-5' });
  });

  it('a placeholder serial ("00000") finds no trace, even one of the same maker', async () => {
    await ctx.store.upsertRecords([gun('L24-5', 'GLK', '00000'), trace('T-6', 'GLK', '00000')]);
    const lead = await correlate(ctx.store, leadOf('L24-5'), []);
    expect(lead.events[0]!.trace).toBeUndefined();
    expect(lead.events[0]!.recoveredNotTraced).toBe(true);
  });
});
