/**
 * Lists the damaged entries of the upstream NCIC gun tables (MAK, CAL, GTYP, GTYP2, GTYP3) and the
 * repair the hub applies to each (src/codes/ncic-repairs.ts).
 *
 *   npm run check:ncic
 *
 * Exit status 0 when every damaged entry has a repair, 1 when one has none (add it to
 * src/codes/ncic-repairs.ts with the NCIC code manual's code and the reason).
 */
import { findDamagedEntries, NCIC_GUN_CODE_TYPES } from '../src/codes/ncic-damage.ts';
import { NCIC_REPAIRS } from '../src/codes/ncic-repairs.ts';
import { readNcicTables } from '../src/codes/ncic-source.ts';

const tables = Object.fromEntries(await readNcicTables(NCIC_GUN_CODE_TYPES));
const damaged = findDamagedEntries(tables);
let unrepaired = 0;
for (const d of damaged) {
  const repair = NCIC_REPAIRS.find((r) => r.type === d.type && r.damagedCode === d.code && r.description === d.description);
  if (!repair) unrepaired++;
  console.log(
    `${d.type} ${JSON.stringify(d.code)} "${d.description}": ${d.problem}; ` +
      (repair ? `restored as ${repair.code}` : 'NO REPAIR: add one to src/codes/ncic-repairs.ts'),
  );
}
const counts = NCIC_GUN_CODE_TYPES.map((t) => `${t} ${Object.keys(tables[t] ?? {}).length}`).join(', ');
console.log(`${damaged.length} damaged entr${damaged.length === 1 ? 'y' : 'ies'} in ${counts}; ${unrepaired} without a repair`);
process.exitCode = unrepaired === 0 ? 0 : 1;
