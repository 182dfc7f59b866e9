/** The LIMS CSV rules of mappings/lims-csv/README.md as code, shared by the generator and fixture tests. */
import { DateTime } from 'luxon';
import { parse } from 'csv-parse/sync';
import { LIMS_CSV_COLUMNS } from '../../../src/generate/index.ts';
import { CALIBERS, GUN_TYPES, MAKES } from '../../../src/generate/catalog.ts';

export type Row = Record<(typeof LIMS_CSV_COLUMNS)[number], string>;

export const DATE_FORMATS = ['MM/dd/yyyy', 'M/d/yy', 'yyyy-MM-dd', 'MM/dd/yyyy HH:mm', 'dd-MMM-yyyy'];
const ITEM_TYPES = new Set(['CONTAINER', 'CARTRIDGE CASE', 'BULLET', 'BULLET FRAGMENT', 'FIREARM', 'MAGAZINE', 'LIVE CARTRIDGE', 'TEST FIRE']);
const CALIBER_SPELLINGS = new Set(Object.values(CALIBERS).flatMap((c) => c.spellings));
const MAKE_SPELLINGS = new Set(Object.values(MAKES).flatMap((m) => m.spellings));
const TYPE_SPELLINGS = new Set(Object.values(GUN_TYPES).flatMap((t) => t.spellings));

export function parsesAsDate(v: string, formats = DATE_FORMATS): boolean {
  return formats.some((f) => DateTime.fromFormat(v, f, { locale: 'en-US' }).isValid);
}

/** The columns of a row that break the README's rules (an empty list for a good row). */
export function violations(r: Row): string[] {
  const bad: string[] = [];
  const check = (col: keyof Row, ok: boolean): void => {
    if (!ok) bad.push(col);
  };
  check('LAB_CASE_NO', /^L\d{2}-\d{6}$/.test(r.LAB_CASE_NO));
  check('SUBMISSION_NO', /^[1-9]\d*$/.test(r.SUBMISSION_NO));
  check('AGENCY_ORI', /^CT[A-Z0-9]{7}$/.test(r.AGENCY_ORI));
  check('AGENCY_NAME', r.AGENCY_NAME !== '');
  check('AGENCY_CASE_NO', r.AGENCY_CASE_NO !== '');
  check('OFFENSE_DATE', parsesAsDate(r.OFFENSE_DATE));
  check('RECEIVED_DATE', parsesAsDate(r.RECEIVED_DATE, ['MM/dd/yyyy HH:mm', 'MM/dd/yyyy', 'dd-MMM-yyyy']));
  check('ITEM_NO', /^\d+(\.\d+)*$/.test(r.ITEM_NO));
  check('PARENT_ITEM_NO', r.PARENT_ITEM_NO === r.ITEM_NO.split('.').slice(0, -1).join('.'));
  check('ITEM_TYPE', ITEM_TYPES.has(r.ITEM_TYPE));
  check('CALIBER', r.CALIBER === '' || CALIBER_SPELLINGS.has(r.CALIBER));
  const firearm = r.ITEM_TYPE === 'FIREARM';
  check('MAKE', firearm ? MAKE_SPELLINGS.has(r.MAKE) : r.MAKE === '');
  check('MODEL', firearm ? r.MODEL !== '' : r.MODEL === '');
  check('GUN_TYPE', firearm ? TYPE_SPELLINGS.has(r.GUN_TYPE) : r.GUN_TYPE === '');
  check('OBLITERATED', firearm ? /^[YN]$/.test(r.OBLITERATED) : r.OBLITERATED === '');
  check('NIBIN_ENTERED', /^[YN]$/.test(r.NIBIN_ENTERED));
  // A deliberately invalid NIBIN_ENTERED keeps the real IBIS columns: judge those by themselves.
  const entered = r.NIBIN_ENTERED === 'Y' || (r.NIBIN_ENTERED !== 'N' && r.IBIS_CASE_ID !== '');
  check('IBIS_CASE_ID', entered ? /^IB\d{2}-\d{6}$/.test(r.IBIS_CASE_ID) : r.IBIS_CASE_ID === '');
  check('IBIS_EXHIBIT_ID', entered ? /^(CC|TF)\d{2}$/.test(r.IBIS_EXHIBIT_ID) : r.IBIS_EXHIBIT_ID === '');
  check('ACQUIRED_DATE', entered ? parsesAsDate(r.ACQUIRED_DATE, ['yyyy-MM-dd', 'MM/dd/yyyy HH:mm']) : r.ACQUIRED_DATE === '');
  check('INVESTIGATOR', /^.+, .+$/.test(r.INVESTIGATOR));
  check('INVESTIGATOR_PHONE', /^\d{3}-555-01\d{2}$/.test(r.INVESTIGATOR_PHONE));
  return bad;
}

export function parseCsv(text: string): Row[] {
  return parse(text, { columns: true, bom: true, relax_column_count: false }) as Row[];
}
