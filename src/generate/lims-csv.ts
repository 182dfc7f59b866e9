/**
 * `lims-csv`: the LIMS firearm-unit export, one row per evidence item.
 *
 * Input: the world (seed) and `rows` = data rows. Output: Windows-1252 (or UTF-8, optionally with a
 * BOM) CSV with CRLF line endings, a header on line 1, quoting only where a field needs it, mixed
 * date formats, real-world spellings, and about 1% deliberately bad rows. The layout is the
 * contract in mappings/lims-csv/README.md; keep the two in step.
 */
import { WeightedTable, hash32, rngFor, type Rng } from './prng.ts';
import { Sink, checkRows, csvField, usageError } from './sink.ts';
import { CivilCache, type DateStyle } from './time.ts';
import type { BadRow, BadRowKind, GenerateOptions, GenerateSummary } from './types.ts';
import { STREAM, World, type AgencyCase, type Item, type LabCase, type Submission } from './world.ts';

export const LIMS_CSV_COLUMNS = [
  'LAB_CASE_NO',
  'SUBMISSION_NO',
  'AGENCY_ORI',
  'AGENCY_NAME',
  'AGENCY_CASE_NO',
  'OFFENSE',
  'OFFENSE_DATE',
  'TOWN',
  'RECEIVED_DATE',
  'ITEM_NO',
  'PARENT_ITEM_NO',
  'AGENCY_ITEM_NO',
  'ITEM_TYPE',
  'ITEM_DESC',
  'CALIBER',
  'HEADSTAMP',
  'MAKE',
  'MODEL',
  'SERIAL_NO',
  'GUN_TYPE',
  'OBLITERATED',
  'NIBIN_ENTERED',
  'IBIS_CASE_ID',
  'IBIS_EXHIBIT_ID',
  'ACQUIRED_DATE',
  'INVESTIGATOR',
  'INVESTIGATOR_PHONE',
] as const;

export type LimsCsvColumn = (typeof LIMS_CSV_COLUMNS)[number];
const COL = Object.fromEntries(LIMS_CSV_COLUMNS.map((c, i) => [c, i])) as Record<LimsCsvColumn, number>;

const offenseDateStyles = new WeightedTable<DateStyle>([['MM/DD/YYYY', 35], ['M/D/YY', 15], ['YYYY-MM-DD', 15], ['MM/DD/YYYY HH:MM', 25], ['DD-MON-YYYY', 10]]);
const receivedDateStyles = new WeightedTable<DateStyle>([['MM/DD/YYYY HH:MM', 70], ['MM/DD/YYYY', 20], ['DD-MON-YYYY', 10]]);
const acquiredDateStyles = new WeightedTable<DateStyle>([['YYYY-MM-DD', 50], ['MM/DD/YYYY HH:MM', 50]]);

/** The bad values each kind writes (listed in the README). */
export const BAD_VALUES = {
  'date-impossible': ['02/30/2026', '04/31/2025', '13/01/2024', '2024-02-30', '31-JUN-2024', '00/12/2024', '2/29/23'],
  'caliber-unparseable': ['unk', 'UNKNOWN', '?', 'see notes', 'N/A'],
  'make-unknown': ['GLOKK', 'Smith & Wessen', 'ACME ARMS', 'HIGHPOINTE', 'Rugar'],
  'boolean-invalid': ['X', '?', '2', 'YN'],
} as const;

const BAD_COLUMN: Record<BadRowKind, LimsCsvColumn> = {
  'date-impossible': 'OFFENSE_DATE',
  'ori-missing': 'AGENCY_ORI',
  'ori-length': 'AGENCY_ORI',
  'caliber-unparseable': 'CALIBER',
  'make-unknown': 'MAKE',
  'boolean-invalid': 'NIBIN_ENTERED',
};

const offenseDates = new CivilCache();
const receivedDates = new CivilCache();
const acquiredDates = new CivilCache();

/** One item's row as field values (unquoted), before any deliberate defect. */
function rowFields(rng: Rng, lc: LabCase, ac: AgencyCase, sub: Submission, item: Item): string[] {
  const f = item.firearm;
  const acq = item.nibin;
  return [
    lc.number,
    String(sub.number),
    ac.agency.ori,
    ac.agency.name,
    ac.caseNumber,
    ac.offense,
    offenseDates.format(ac.occurredAt, offenseDateStyles.pick(rng)),
    ac.town,
    receivedDates.format(sub.receivedAt, receivedDateStyles.pick(rng)),
    item.number,
    item.parent,
    item.agencyItem,
    item.type,
    item.description,
    item.caliberText,
    item.headstamp,
    f ? f.makeText : '',
    f ? f.model.model : '',
    f ? f.serialText : '',
    f ? f.typeText : '',
    f ? (f.obliterated ? 'Y' : 'N') : '',
    acq ? 'Y' : 'N',
    acq ? acq.ibisCaseId : '',
    acq ? acq.exhibitId : '',
    acq ? acquiredDates.format(acq.acquiredAt, acquiredDateStyles.pick(rng)) : '',
    ac.investigator,
    ac.phone,
  ];
}

/**
 * The row from OFFENSE_DATE to ACQUIRED_DATE, for rows without a defect (the hot path). Draws the
 * same random numbers in the same order as {@link rowFields}, and dates never need quoting.
 */
function fastRow(rng: Rng, ac: AgencyCase, town: string, sub: Submission, item: Item): string {
  const f = item.firearm;
  const acq = item.nibin;
  let s = offenseDates.format(ac.occurredAt, offenseDateStyles.pick(rng)) + town + receivedDates.format(sub.receivedAt, receivedDateStyles.pick(rng));
  s += `,${item.number},${item.parent},${csvField(item.agencyItem)},${item.type},${csvField(item.description)},${csvField(item.caliberText)},${csvField(item.headstamp)},`;
  s += f ? `${csvField(f.makeText)},${csvField(f.model.model)},${csvField(f.serialText)},${csvField(f.typeText)},${f.obliterated ? 'Y' : 'N'},` : ',,,,,';
  s += acq ? `Y,${acq.ibisCaseId},${acq.exhibitId},${acquiredDates.format(acq.acquiredAt, acquiredDateStyles.pick(rng))}` : 'N,,,';
  return s;
}

/** A lab case's submissions (of all its agencies) by submission number. */
export function submissionsInOrder(lc: LabCase): { ac: AgencyCase; sub: Submission }[] {
  return lc.agencyCases
    .flatMap((ac) => ac.submissions.map((sub) => ({ ac, sub })))
    .sort((a, b) => a.sub.number - b.sub.number);
}

/** Which defects fit a row: a caliber defect needs a caliber, a make defect a firearm row. */
function applicableKinds(fields: string[]): BadRowKind[] {
  const kinds: BadRowKind[] = ['date-impossible', 'ori-missing', 'ori-length', 'boolean-invalid'];
  if (fields[COL.CALIBER] !== '') kinds.push('caliber-unparseable');
  if (fields[COL.ITEM_TYPE] === 'FIREARM') kinds.push('make-unknown', 'make-unknown');
  return kinds;
}

function spoil(fields: string[], kind: BadRowKind, h: number): string {
  const col = COL[BAD_COLUMN[kind]];
  const pickValue = (list: readonly string[]): string => list[h % list.length] as string;
  let value: string;
  switch (kind) {
    case 'ori-missing':
      value = '';
      break;
    case 'ori-length': {
      const ori = fields[col] as string;
      value = h % 2 === 0 ? ori.slice(0, 7) : ori + '0';
      break;
    }
    default:
      value = pickValue(BAD_VALUES[kind]);
  }
  fields[col] = value;
  return value;
}

export async function generateLimsCsv(opts: GenerateOptions, seed: number, out: NodeJS.WritableStream): Promise<GenerateSummary> {
  checkRows(opts.rows);
  const encoding = opts.encoding ?? 'windows-1252';
  const bom = opts.bom ?? false;
  if (bom && encoding !== 'utf-8') throw usageError('a byte order mark needs encoding utf-8 (a Windows-1252 file cannot carry a BOM)');
  const rate = opts.badRowRate ?? 0.01;
  if (!(rate >= 0 && rate <= 1)) throw usageError(`badRowRate must be between 0 and 1, not ${rate}`);
  const stratum = rate > 0 ? Math.max(1, Math.round(1 / rate)) : 0;
  const sink = new Sink(out, encoding);
  const world = new World(seed);
  const badRowNumbers: number[] = [];
  const badRowKinds: Partial<Record<BadRowKind, number>> = {};
  const counts = { labCases: 0, agencyCases: 0, items: 0 };

  sink.add((bom ? '\uFEFF' : '') + LIMS_CSV_COLUMNS.join(',') + '\r\n');
  let row = 0;
  let blocks = 0;
  let badOffset = -1;
  while (row < opts.rows) {
    const block = world.next();
    blocks++;
    const rng = rngFor(seed, STREAM.limsCsv, block.index);
    for (const lc of block.labCases) {
      if (row >= opts.rows) break;
      counts.labCases++;
      counts.agencyCases += lc.agencyCases.length;
      // Rows run in lab case, submission, item order, as a LIMS export sorts them.
      for (const { ac, sub } of submissionsInOrder(lc)) {
        // Fields that repeat on every row of the submission are quoted once.
        const head = `${csvField(lc.number)},${sub.number},${csvField(ac.agency.ori)},${csvField(ac.agency.name)},${csvField(ac.caseNumber)},${csvField(ac.offense)},`;
        const town = ',' + csvField(ac.town) + ',';
        const tail = `,${csvField(ac.investigator)},${csvField(ac.phone)}\r\n`;
        for (const item of sub.items) {
          if (row >= opts.rows) break;
          let bad = false;
          if (stratum > 0) {
            if (row % stratum === 0) badOffset = hash32(seed, STREAM.limsCsvBad, Math.floor(row / stratum)) % stratum;
            bad = row % stratum === badOffset;
          }
          if (!bad) {
            sink.add(head + fastRow(rng, ac, town, sub, item) + tail);
          } else {
            const fields = rowFields(rng, lc, ac, sub, item);
            const h = hash32(seed, STREAM.limsCsvBad, Math.floor(row / stratum), 1);
            const kinds = applicableKinds(fields);
            const kind = kinds[h % kinds.length] as BadRowKind;
            const value = spoil(fields, kind, h >>> 8);
            badRowNumbers.push(row + 1);
            badRowKinds[kind] = (badRowKinds[kind] ?? 0) + 1;
            opts.onBadRow?.({ row: row + 1, kind, column: BAD_COLUMN[kind], value });
            sink.add(fields.map(csvField).join(',') + '\r\n');
          }
          row++;
          counts.items++;
          if (sink.full) await sink.flush();
        }
      }
    }
  }
  await sink.flush();
  return { kind: 'lims-csv', seed, rows: row, bytes: sink.bytes, encoding, blocks, badRowNumbers, badRowKinds, counts };
}
