import { describe, expect, it } from 'vitest';
import { mergeBodies } from '../../../src/store/merge.ts';

describe('merge policy', () => {
  it('patches ordinary entities: present fields overwrite, lists union', () => {
    const m = mergeBodies({ type: 'LabCase', labCaseNumber: 'L1', agencies: [{ ori: 'A' }] }, { type: 'LabCase', labCaseNumber: 'L1', agencies: [{ ori: 'B' }] });
    expect(m.agencies).toEqual([{ ori: 'A' }, { ori: 'B' }]);
  });

  it('replaces a NIBIN lead snapshot whole, so a link that changed status is not kept twice', () => {
    const v1 = { type: 'NibinLead', leadId: 'NL1', revision: 1, status: 'LEAD_UNCONFIRMED', links: [{ fromEventId: 'E1', toEventId: 'E3', status: 'LEAD_UNCONFIRMED' }] };
    const v2 = { ...v1, revision: 2, status: 'CONFIRMED_HIT', links: [{ fromEventId: 'E1', toEventId: 'E3', status: 'CONFIRMED_HIT' }] };
    expect(mergeBodies(v1, v2)).toEqual({ ...v2, classification: undefined });
    expect(mergeBodies(v1, v2).links).toHaveLength(1);
  });

  it('ignores a lead snapshot older than the stored one', () => {
    const v2 = { type: 'NibinLead', leadId: 'NL1', revision: 2, status: 'CONFIRMED_HIT' };
    const v1 = { type: 'NibinLead', leadId: 'NL1', revision: 1, status: 'LEAD_UNCONFIRMED' };
    expect(mergeBodies(v2, v1)).toBe(v2);
  });
});

describe('lists with keyed items', () => {
  it('merges a lab case submission seen on two rows into one item', () => {
    const a = { type: 'LabCase', labCaseNumber: 'L1', submissions: [{ submissionNumber: '1', agencyOri: 'CT0006400', receivedAt: '2024-03-04T09:30:00-05:00' }] };
    const b = { type: 'LabCase', labCaseNumber: 'L1', submissions: [{ submissionNumber: '1', receivedAt: '2024-03-04T00:00:00-05:00' }, { submissionNumber: '2', agencyOri: 'CT0004300' }] };
    expect(mergeBodies(a, b).submissions).toEqual([
      { submissionNumber: '1', agencyOri: 'CT0006400', receivedAt: '2024-03-04T00:00:00-05:00' },
      { submissionNumber: '2', agencyOri: 'CT0004300' },
    ]);
  });

  it('keeps items without their key fields by equality, as before', () => {
    const a = { type: 'LabCase', labCaseNumber: 'L1', agencies: [{ ori: 'CT0006400' }] };
    expect(mergeBodies(a, { ...a }).agencies).toEqual([{ ori: 'CT0006400' }]);
  });
});
