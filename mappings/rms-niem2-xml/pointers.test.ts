/**
 * Error pointers of rms-niem2-xml: golden cases (tests/*.test.yaml) compare only error codes, so the
 * XPath each error points at is asserted here, on the same inputs (the golden cases' inline text).
 */
import { describe, expect, it } from 'vitest';
import { runGoldenCase, type GoldenCaseRun } from '../../test/support/golden-case.ts';

const run = (caseName: string): Promise<GoldenCaseRun> => runGoldenCase('rms-niem2-xml', caseName);

const PACKAGE_1 = '/lexspd:doPublish[1]/lexs:PublishMessageContainer[1]/lexs:PublishMessage[1]/lexs:DataItemPackage[1]';
const CASE_NUMBER_PATH = 'lexs:Digest/lexsdigest:EntityActivity/nc:Activity/nc:ActivityIdentification/nc:IdentificationID';

describe('rms-niem2-xml error pointers', () => {
  it('missing agency case number: the Case error names the field and the XPath of the missing element', async () => {
    const { invalid } = await run('missing-case-number');
    expect(invalid.map((i) => i.row)).toEqual([1]);
    const [caseErr] = invalid[0]!.errors;
    expect(caseErr).toMatchObject({ code: 'HUB_ERR_RECORD_REQUIRED', field: 'agencyCaseNumber' });
    expect(caseErr!.pointer).toEqual({ file: 'input', row: 1, line: 6, xpath: `${PACKAGE_1}/${CASE_NUMBER_PATH}` });
  });

  // A field read from the enclosing record ($/ or ../) inside a forEach points at that record's path.
  it('missing agency case number: the Firearm error points into the package, not below the firearm', async () => {
    const { invalid } = await run('missing-case-number');
    const firearmErr = invalid[0]!.errors[1]!;
    expect(firearmErr).toMatchObject({ code: 'HUB_ERR_RECORD_REQUIRED', field: 'agencyCaseNumber' });
    expect(firearmErr.pointer?.xpath).toBe(`${PACKAGE_1}/${CASE_NUMBER_PATH}`);
  });

  it('unknown codes: each warning points at the code element of the firearm, with the document prefixes and indexes', async () => {
    const { invalid, warnings } = await run('unknown-code');
    expect(invalid).toEqual([]);
    expect(warnings.map((w) => [w.code, w.field, w.pointer?.xpath])).toEqual([
      ['HUB_ERR_CODE_UNKNOWN', 'make', `${PACKAGE_1}/lexs:Digest[1]/lexsdigest:EntityProperty[1]/nc:Firearm[1]/nc:FirearmMakeCode[1]`],
      ['HUB_ERR_CODE_UNKNOWN', 'caliber', `${PACKAGE_1}/lexs:Digest[1]/lexsdigest:EntityProperty[1]/nc:Firearm[1]/nc:FirearmCaliberCode[1]`],
    ]);
  });

  it('malformed XML: HUB_ERR_SOURCE_XML at the line of the bad closing tag', async () => {
    const { invalid } = await run('malformed-xml');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.row).toBe(2);
    expect(invalid[0]!.errors[0]).toMatchObject({ code: 'HUB_ERR_SOURCE_XML', pointer: { file: 'input', line: 15 } });
  });
});
