/**
 * A lead package that its recipient's lead format refuses: the delivery's error (kept with the delivery
 * and its dead letter) quotes the value refused, the line the logs show does not.
 */
import { describe, expect, it } from 'vitest';
import { renderDelivery } from '../../../src/pipeline/delivery.ts';
import { DeliveryError } from '../../../src/sdk/connector.ts';
import type { DestinationConfig, HubConfig } from '../../../src/config/hub-config.ts';
import type { Delivery } from '../../../src/store/types.ts';
import { outbound } from '../mapping/helpers.ts';

describe('renderDelivery', () => {
  it('a value the lead format refuses: quoted in the error, not in its log message', async () => {
    const mapping = await outbound({ id: 'out-test', version: 1, direction: 'outbound', output: { format: 'json', fields: { when: { from: 'occurredAt', ops: [{ formatDate: { format: 'MM/dd/yyyy' } }] } } } });
    const cfg = { mappings: new Map([['out-test', mapping]]), agencies: [], hub: { timezone: 'America/New_York' } } as unknown as HubConfig;
    const dest = { id: 'hfd-rms', ori: 'CT0006400', leadFormat: 'out-test' } as unknown as DestinationConfig;
    const row = { deliveryId: 'd1', content: 'lead', payload: { package: { leadId: 'NL24-000057', version: 1, occurredAt: 'CASE 24-004512 JOHN Q PUBLIC' } } } as unknown as Delivery;
    let thrown: unknown;
    try {
      renderDelivery(cfg, dest, row);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DeliveryError);
    const e = thrown as DeliveryError;
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('JOHN Q PUBLIC');
    expect(e.logMessage).toBe('lead package cannot be rendered as out-test@1: HUB_ERR_RECORD_DATE (when)');
  });
});
