/**
 * What an agency's RMS publishes about the world's cases, before any exchange format: the generators
 * of N-DEx (ndex-xml.ts) and NIBRS (nibrs-xml.ts) documents render these same reports, so for one seed
 * both formats describe the same incidents, guns and weapon codes.
 *
 * Input: the seed and one world block. Output: reports in publication order: an insert per agency case,
 * a later replace when the first report was preliminary (offense not yet known) or incomplete (a gun's
 * serial and model missing), and now and then a duplicate entered in error and deleted a few days on.
 * The offense and weapon/force codes are drawn here, once per case, so every format agrees on them.
 */
import { forceCodes, offenseCodes, weaponCodeOf, type OffenseCodes } from './crime-codes.ts';
import { rngFor, type Rng } from './prng.ts';
import { existingLocal, MINUTES_PER_DAY } from './time.ts';
import { STREAM, type AgencyCase, type Block, type Firearm } from './world.ts';

export type Instruction = 'insert' | 'replace' | 'delete';

/** One incident report as the RMS publishes it. */
export interface RmsPackage {
  instruction: Instruction;
  at: number;
  ac: AgencyCase;
  /** The incident id as published (the agency case number; a duplicate entered in error has a suffix). */
  incidentId: string;
  /** Offenses with their weapon/force codes; a preliminary report has a lesser one (PRELIMINARY_OFFENSE). */
  offenses: (OffenseCodes & { forces: string[] })[];
  /** The arrest of a recovery (the gun's carrier), with the weapon code the arrestee was armed with; null if none. */
  arrest: { armedWith: string } | null;
  /** Firearms with the fields this report carries ('' = left out). */
  firearms: { f: Firearm; serial: string; model: string }[];
}

/** What a first report says before the investigation knows more: intimidation, no weapon code. */
export const PRELIMINARY_OFFENSE = { nibrs: '13C', ndex: 'Assault', forces: [] as string[] } as const;

export function rmsPackages(seed: number, block: Block): RmsPackage[] {
  const rng: Rng = rngFor(seed, STREAM.rms, block.index);
  const out: RmsPackage[] = [];
  for (const ac of block.agencyCases) {
    const firearms = ac.firearms.map((f) => {
      let serial = f.obliterated && !f.restored ? '' : f.serial;
      if (serial !== '' && rng.chance(0.1)) serial = serial.replace(/[-\s]/g, '');
      return { f, serial, model: f.model.model };
    });
    const gun = ac.firearms[0]?.model.type;
    const offenses = offenseCodes(rng, ac.kind).map((o) => ({ ...o, forces: forceCodes(rng, o.nibrs, gun) }));
    const arrest = ac.kind === 'recovery' ? { armedWith: gun ? weaponCodeOf(gun) : '01' } : null;
    const preliminary = ac.kind !== 'recovery' && rng.chance(0.05);
    const incomplete = ac.kind === 'recovery' && firearms.length > 0 && rng.chance(0.08);
    const full = { ac, incidentId: ac.caseNumber, offenses, arrest, firearms };
    out.push({
      ...full,
      instruction: 'insert',
      at: ac.reportedAt,
      offenses: preliminary ? [PRELIMINARY_OFFENSE] : offenses,
      firearms: incomplete ? firearms.map((g) => ({ ...g, model: '', serial: '' })) : firearms,
    });
    if (preliminary || incomplete) {
      out.push({ ...full, instruction: 'replace', at: existingLocal(ac.reportedAt + rng.int(1, 10) * MINUTES_PER_DAY + rng.int(0, 480)) });
    }
    if (rng.chance(0.01)) {
      const dupAt = existingLocal(ac.reportedAt + rng.int(5, 60));
      const incidentId = `${ac.caseNumber}-DUP`;
      out.push({ ...full, instruction: 'insert', at: dupAt, incidentId });
      out.push({ ...full, instruction: 'delete', at: existingLocal(dupAt + rng.int(1, 3) * MINUTES_PER_DAY), incidentId, offenses: [], arrest: null, firearms: [] });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Reports grouped by the agency that publishes them (agencies in order of their first report). */
export function byAgency<T extends { ac: AgencyCase }>(reports: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const r of reports) {
    let list = groups.get(r.ac.agency.ori);
    if (!list) groups.set(r.ac.agency.ori, (list = []));
    list.push(r);
  }
  return [...groups.values()];
}
