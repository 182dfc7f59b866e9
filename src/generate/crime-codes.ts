/**
 * The codes an RMS gives the world's events in its exchange formats: NIBRS offense and weapon/force
 * codes, N-DEx offense codes. One table, so the N-DEx and NIBRS generators agree for a seed.
 * Codes are from the public NIBRS 2019.1 and N-DEx IncidentArrest 2.1 code lists.
 */
import type { Rng } from './prng.ts';
import type { EventKind, GunType } from './catalog.ts';

export interface OffenseCodes {
  /** NIBRS offense code (Group A). */
  nibrs: string;
  /** N-DEx offense code (ndexia:OffenseCode). */
  ndex: string;
}

const OFFENSE_CODES: Record<EventKind, readonly OffenseCodes[]> = {
  'shooting': [
    { nibrs: '13A', ndex: 'Aggravated Assault_gun' },
    { nibrs: '13A', ndex: 'Aggravated Assault_nonfamily_gun' },
  ],
  'shots-fired': [
    { nibrs: '520', ndex: 'Weapon Law_Firing Weapon' },
    { nibrs: '290', ndex: 'Damage Property_private' },
  ],
  'homicide': [{ nibrs: '09A', ndex: 'Homicide_Willful Killing_gun' }],
  'recovery': [
    { nibrs: '520', ndex: 'Weapon Law_Carrying Concealed Weapon' },
    { nibrs: '520', ndex: 'Weapon Law_Possessing Of Weapon' },
  ],
};

/** Offenses of an event: the first is the event's own; a shooting sometimes adds a robbery. */
export function offenseCodes(rng: Rng, kind: EventKind): OffenseCodes[] {
  const list = OFFENSE_CODES[kind];
  const out = [list[rng.int(0, list.length - 1)] as OffenseCodes];
  if (kind === 'shooting' && rng.chance(0.15)) out.push({ nibrs: '120', ndex: 'Robbery_street_gun' });
  return out;
}

/** NIBRS weapon/force code of a known gun type (12 handgun, 13 rifle, 14 shotgun). */
export function weaponCodeOf(type: GunType): string {
  return type.key === 'RIFLE' ? '13' : type.key === 'SHOTGUN' ? '14' : '12';
}

/**
 * Weapon/force codes of an offense: the recovered gun's type when there is one, else mostly a handgun;
 * now and then automatic (the A suffix: a conversion device), a second code (40, personal weapons),
 * or a firearm of unstated type (11). Offenses without a weapon element (290) get none.
 */
export function forceCodes(rng: Rng, nibrsOffense: string, gun: GunType | undefined): string[] {
  if (nibrsOffense === '290') return [];
  const base = gun ? weaponCodeOf(gun) : rng.chance(0.85) ? '12' : rng.pick(['11', '13', '14'] as const);
  const codes = [rng.chance(0.03) ? `${base}A` : base];
  if (rng.chance(0.1)) codes.push('40');
  return codes;
}
