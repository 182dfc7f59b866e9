/**
 * Correlation: a NIBIN lead's events resolved against everything the hub holds.
 *
 * Input: a stored NibinLead record; the store; the agencies of the configuration (names, contacts).
 * Output: the enriched lead, the full view every package is cut from: per event the agency case (offense,
 * date, town), the lab case and every other agency case on it, the evidence items, the firearm if the
 * event is a recovered gun's test fire (with NCIC codes), its trace (status, FFL, time-to-crime), the
 * "recovered but never traced" flag; and the list of records the lead names that the hub has not
 * received yet (for pending enrichment).
 */
import type { Store } from '../store/index.ts';
import type { AgencyConfig } from '../config/hub-config.ts';
import { isSerialPlaceholder } from '../codes/serial.ts';

export interface EnrichedEvent {
  eventId: string;
  agency: { ori: string; name?: string; contact?: Record<string, string> };
  agencyCaseNumber?: string;
  labCaseNumbers?: string[];
  role: string;
  occurredAt?: string;
  offense?: Record<string, unknown>;
  eventKind?: string;
  town?: string;
  location?: Record<string, unknown>;
  evidence?: { itemNumber: string; kind?: string; caliber?: unknown }[];
  firearm?: Record<string, unknown>;
  trace?: Record<string, unknown>;
  recoveredNotTraced?: boolean;
  otherHits?: unknown[];
  persons?: unknown[];
}

export interface EnrichedLead {
  leadId: string;
  status: string;
  caliber?: unknown;
  events: EnrichedEvent[];
  links: { fromEventId: string; toEventId: string; status: string; confirmedAt?: string }[];
  /** Records the lead names that the hub has not received: `LabCase L24-1`, `Case CT0006400|24-1`. */
  missing: string[];
}

type Rec = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Whole days from a purchase date to a recovery date-time, or undefined. */
export function daysBetween(fromDate: string | undefined, to: string | undefined): number | undefined {
  if (!fromDate || !to) return undefined;
  const a = Date.parse(fromDate.length === 10 ? `${fromDate}T00:00:00Z` : fromDate);
  const b = Date.parse(to.slice(0, 10) + 'T00:00:00Z');
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return Math.round((b - a) / 86_400_000);
}

/**
 * The trace of this gun among the traces of its serial. Serials repeat across makers (short numbers,
 * "1234", "A1"), and a trace names its gun's purchaser and dealer: a trace of another maker's gun is
 * not this gun's. Where the gun and a trace both have an NCIC make code they must agree; a trace
 * without one (or a gun without one) is taken as before, the first found.
 */
function traceOfGun(firearm: Rec, traces: readonly Rec[]): Rec | undefined {
  const make = str((firearm.make as Rec | undefined)?.code);
  return traces.find((t) => {
    const m = str((t.make as Rec | undefined)?.code);
    return !make || !m || m === make;
  });
}

export async function correlate(store: Store, lead: Rec, agencies: readonly AgencyConfig[]): Promise<EnrichedLead> {
  const agencyOf = (ori: string) => agencies.find((a) => a.ori === ori);
  const missing = new Set<string>();
  const events: EnrichedEvent[] = [];
  for (const e of (lead.events as Rec[] | undefined) ?? []) {
    const ori = str(e.agencyOri);
    const caseNo = str(e.agencyCaseNumber);
    const lab = str(e.labCaseNumber);
    const labCase = lab ? await store.getRecord('LabCase', lab, { sourceLimit: 0 }) : undefined;
    if (lab && !labCase) missing.add(`LabCase ${lab}`);
    // The event's own agency case, then every other agency case on the same lab case.
    const owners: { ori: string; caseNo?: string; name?: string }[] = [];
    if (ori) owners.push({ ori, caseNo });
    for (const a of ((labCase?.agencies as Rec[] | undefined) ?? [])) {
      const o = str(a.ori);
      if (o && !owners.some((x) => x.ori === o && (x.caseNo === undefined || x.caseNo === str(a.agencyCaseNumber)))) owners.push({ ori: o, caseNo: str(a.agencyCaseNumber), name: str(a.agencyName) });
      else if (o) {
        const x = owners.find((y) => y.ori === o);
        if (x && !x.caseNo) x.caseNo = str(a.agencyCaseNumber);
      }
    }
    const items = lab ? await store.findRecords('EvidenceItem', { labCaseNumber: lab }, 500) : [];
    const evidence = items
      .map((i) => ({ itemNumber: String(i.itemNumber), ...(i.kind ? { kind: String(i.kind) } : {}), ...(i.caliber ? { caliber: i.caliber } : {}) }))
      .sort((a, b) => a.itemNumber.localeCompare(b.itemNumber, undefined, { numeric: true }));
    let firearm: Rec | undefined;
    let trace: Rec | undefined;
    if (lab && (e.role === 'test-fire' || items.some((i) => i.kind === 'firearm'))) {
      firearm = (await store.findRecords('Firearm', { labCaseNumber: lab }, 5))[0];
    }
    if (firearm) {
      const serial = str((firearm.serial as Rec | undefined)?.normalized);
      trace = serial && !isSerialPlaceholder(serial) ? traceOfGun(firearm, await store.findRecords('Trace', { 'serial.normalized': serial }, 20)) : undefined;
      if (!trace && ori && caseNo) trace = (await store.findRecords('Trace', { requestingOri: ori, agencyCaseNumber: caseNo }, 5))[0];
    }
    for (const [idx, owner] of owners.entries()) {
      const caseRec = owner.caseNo ? await store.getRecord('Case', `${owner.ori}|${owner.caseNo}`, { sourceLimit: 0 }) : undefined;
      if (owner.caseNo && !caseRec) missing.add(`Case ${owner.ori}|${owner.caseNo}`);
      const cfg = agencyOf(owner.ori);
      const ev: EnrichedEvent = {
        eventId: idx === 0 ? String(e.eventId) : `${String(e.eventId)}/${owner.ori}`,
        agency: { ori: owner.ori, ...(cfg?.name ?? owner.name ? { name: cfg?.name ?? owner.name } : {}), ...(cfg?.contact ? { contact: cfg.contact as Record<string, string> } : {}) },
        role: String(e.role),
      };
      if (owner.caseNo) ev.agencyCaseNumber = owner.caseNo;
      const labs = [...new Set([...(lab ? [lab] : []), ...(((caseRec?.labCaseNumbers as string[] | undefined) ?? []))])];
      if (labs.length) ev.labCaseNumbers = labs;
      // A case date at local midnight is often a date without a time; the lead's own time for that day wins.
      const caseAt = str(caseRec?.occurredAt);
      const leadAt = idx === 0 ? str(e.occurredAt) : undefined;
      const occurredAt = caseAt && leadAt && caseAt.slice(11, 19) === '00:00:00' && caseAt.slice(0, 10) === leadAt.slice(0, 10) ? leadAt : (caseAt ?? leadAt);
      if (occurredAt) ev.occurredAt = occurredAt;
      const offense = ((caseRec?.offenses as Rec[] | undefined) ?? [])[0];
      if (offense) ev.offense = offense;
      if (str(caseRec?.eventKind)) ev.eventKind = String(caseRec!.eventKind);
      const town = str((caseRec?.location as Rec | undefined)?.town);
      if (town) ev.town = town;
      if (caseRec?.location) ev.location = caseRec.location as Rec;
      if (evidence.length) ev.evidence = evidence;
      if (firearm) {
        ev.firearm = Object.fromEntries(Object.entries({ make: firearm.make, model: firearm.model, serial: firearm.serial, gunType: firearm.gunType, caliber: firearm.caliber }).filter(([, v]) => v !== undefined));
        if (trace) {
          const ttc = typeof trace.timeToCrimeDays === 'number' ? trace.timeToCrimeDays : daysBetween(str(trace.purchaseDate), str(firearm.recoveredAt) ?? str(trace.recoveredAt) ?? occurredAt);
          ev.trace = Object.fromEntries(
            Object.entries({ status: trace.status, traceNumber: trace.traceNumber, ffl: trace.ffl, purchaseDate: trace.purchaseDate, timeToCrimeDays: ttc }).filter(([, v]) => v !== undefined),
          );
        }
        ev.recoveredNotTraced = !trace;
      }
      ev.otherHits = [];
      events.push(ev);
    }
  }
  const links = ((lead.links as Rec[] | undefined) ?? []).map((l) => ({
    fromEventId: String(l.fromEventId),
    toEventId: String(l.toEventId),
    status: String(l.status),
    ...(str(l.confirmedAt) ? { confirmedAt: String(l.confirmedAt) } : {}),
  }));
  return { leadId: String(lead.leadId), status: String(lead.status), ...(lead.caliber ? { caliber: lead.caliber } : {}), events, links, missing: [...missing].sort() };
}
