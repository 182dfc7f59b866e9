/**
 * Error pointers of rms-niem6-xml: golden cases (tests/*.test.yaml) compare only error codes, so the
 * XPath each error points at is asserted here, on the same inputs (the golden cases' inline text).
 */
import { describe, expect, it } from 'vitest';
import { runGoldenCase, type GoldenCaseRun } from '../../test/support/golden-case.ts';

const run = (caseName: string): Promise<GoldenCaseRun> => runGoldenCase('rms-niem6-xml', caseName);

const REPORT_1 = '/rms:IncidentExport[1]/rms:IncidentReport[1]';
const ORI_PATH = 'rms:SubmittingOrganization/j:OrganizationAugmentation/j:OrganizationORIIdentification/nc:IdentificationID';

describe('rms-niem6-xml error pointers', () => {
  it('missing ORI: the Case error names the field and the XPath of the missing element', async () => {
    const { invalid } = await run('missing-ori');
    expect(invalid.map((i) => i.row)).toEqual([1]);
    const [caseErr] = invalid[0]!.errors;
    expect(caseErr).toMatchObject({ code: 'HUB_ERR_RECORD_REQUIRED', field: 'agencyOri' });
    expect(caseErr!.pointer).toEqual({ file: 'input', row: 1, line: 3, xpath: `${REPORT_1}/${ORI_PATH}` });
  });

  // A field read from the enclosing record ($/ or ../) inside a forEach points at that record's path.
  it('missing ORI: the Firearm error points at the report\'s ORI path', async () => {
    const { invalid } = await run('missing-ori');
    const firearmErr = invalid[0]!.errors[1]!;
    expect(firearmErr).toMatchObject({ code: 'HUB_ERR_RECORD_REQUIRED', field: 'agencyOri' });
    expect(firearmErr.pointer?.xpath).toBe(`${REPORT_1}/${ORI_PATH}`);
  });

  it('unknown codes: each warning points at the code element of its j:Firearm', async () => {
    const { invalid, warnings } = await run('unknown-code');
    expect(invalid).toEqual([]);
    expect(warnings.map((w) => [w.code, w.field, w.pointer?.xpath])).toEqual([
      ['HUB_ERR_CODE_UNKNOWN', 'make', `${REPORT_1}/j:Firearm[1]/j:FirearmMakeCode[1]`],
      ['HUB_ERR_CODE_UNKNOWN', 'caliber', `${REPORT_1}/j:Firearm[1]/j:FirearmBoreSizeCode[1]`],
    ]);
  });

  it('malformed XML: HUB_ERR_SOURCE_XML at the line of the unescaped "&"', async () => {
    const { invalid } = await run('malformed-xml');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.row).toBe(2);
    expect(invalid[0]!.errors[0]).toMatchObject({ code: 'HUB_ERR_SOURCE_XML', pointer: { file: 'input', line: 14 } });
  });
});
