/**
 * One delivery attempt.
 *
 * Input: a delivery id (the job), the ledger row with its content, the destination connector.
 * Output: the destination has the rendered body and the ledger says delivered; or a `DeliveryError`
 * saying whether to retry. A delivery already marked delivered is not sent again (a re-queued or
 * replayed job finds it done), and every attempt carries the same `Idempotency-Key` / file name, so a
 * destination that received it but whose answer was lost gets the same thing twice at most, marked the same.
 */
import type { Store } from '../store/index.ts';
import type { Delivery as LedgerRow } from '../store/types.ts';
import type { DestinationConnector, Delivery } from '../sdk/connector.ts';
import type { Mapping } from '../mapping/load.ts';
import { OutboundMapping } from '../mapping/outbound.ts';
import { RunContext } from '../mapping/runtime.ts';
import type { DestinationConfig, HubConfig } from '../config/hub-config.ts';
import { DeliveryError } from '../sdk/connector.ts';
import type { Metrics } from './metrics.ts';

export interface DeliveryDeps {
  readonly cfg: HubConfig;
  readonly store: Store;
  readonly metrics: Metrics;
  destination(id: string): { config: DestinationConfig; connector: DestinationConnector };
}

export type DeliveryOutcome = { status: 'delivered'; responseStatus: number } | { status: 'already-delivered' };

/** The body a destination receives for a ledger row. */
export function renderDelivery(cfg: HubConfig, dest: DestinationConfig, row: LedgerRow): Delivery {
  if (row.content === 'lead') {
    const pkg = (row.payload as { package: Record<string, unknown> }).package;
    const mapping: Mapping | undefined = cfg.mappings.get(dest.leadFormat);
    if (!(mapping instanceof OutboundMapping)) throw new DeliveryError(`destination ${dest.id}: lead format ${dest.leadFormat} is not an outbound mapping`, false);
    const agency = cfg.agencies.find((a) => a.ori === dest.ori);
    const r = mapping.render(pkg, new RunContext(agency?.timezone ?? cfg.hub.timezone));
    if (r.errors.length) {
      // The messages quote the values refused; the log line names only the codes and fields.
      throw new DeliveryError(
        `lead package cannot be rendered as ${mapping.label}: ${r.errors.map((e) => e.message).join('; ')}`,
        false,
        undefined,
        undefined,
        `lead package cannot be rendered as ${mapping.label}: ${r.errors.map((e) => `${e.code}${e.field ? ` (${e.field})` : ''}`).join('; ')}`,
      );
    }
    const ext = mapping.format === 'ndjson' ? 'ndjson' : mapping.format;
    const name = `lead-${String(pkg.leadId)}-v${String(pkg.version)}-${dest.ori}.${ext}`.replace(/[^A-Za-z0-9._-]/g, '_');
    return { deliveryId: row.deliveryId, body: r.body, mediaType: r.mediaType, fileName: name };
  }
  const records = (row.payload as { records: unknown[] }).records;
  const body = JSON.stringify({ deliveryId: row.deliveryId, destination: dest.id, recipientOri: dest.ori, records }, null, 1) + '\n';
  return { deliveryId: row.deliveryId, body, mediaType: 'application/json', fileName: `records-${row.deliveryId}.json` };
}

/** The transfer a records delivery came from (package ref `records:<transfer id>`). */
export function transferOf(row: LedgerRow): string | null {
  return row.content === 'records' && row.packageRef?.startsWith('records:') ? row.packageRef.slice('records:'.length) : null;
}

export async function runDelivery(deps: DeliveryDeps, deliveryId: string): Promise<DeliveryOutcome> {
  // The attempt is counted as the row is read (one statement); a delivery done already is not counted.
  const row = await deps.store.beginAttempt(deliveryId);
  if (!row) throw new DeliveryError(`delivery ${deliveryId} is not in the ledger`, false);
  if (row.status === 'delivered') return { status: 'already-delivered' };
  const { config, connector } = deps.destination(row.destinationId);
  const delivery = renderDelivery(deps.cfg, config, row);
  const receipt = await connector.deliver(delivery);
  // Marked delivered, audited and counted on its transfer in one transaction, once: a delivery sent again
  // after a crash (the destination de-duplicates it by its id) is not counted twice. The store groups the
  // marks of deliveries finishing together into one transaction.
  const transferId = transferOf(row);
  await deps.store.recordDelivered({
    deliveryId,
    responseStatus: receipt.status,
    ...(transferId ? { count: { transferId, records: (row.payload as { records: unknown[] }).records.length } } : {}),
  });
  deps.metrics.deliveries.inc({ destination: row.destinationId, outcome: 'delivered' });
  deps.metrics.deliveryLatency.observe({ destination: row.destinationId }, (Date.now() - Date.parse(row.createdAt)) / 1000);
  if (row.content === 'lead') {
    const p = row.payload as { leadStoredAt?: string; package?: { recipient?: { ori?: string } } };
    if (p.leadStoredAt) deps.metrics.leadTurnaround.observe({ recipient: p.package?.recipient?.ori ?? config.ori }, (Date.now() - Date.parse(p.leadStoredAt)) / 1000);
  }
  return { status: 'delivered', responseStatus: receipt.status };
}
