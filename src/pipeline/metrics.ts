/**
 * Prometheus metrics (prom-client): what an operator graphs and alerts on.
 * - cgic_records_total{connector,stage,outcome}: records by stage (mapped, stored, delivered) and outcome
 * - cgic_polls_total{connector,outcome}: runs of a source: claimed (made transfers), empty (made none), failed
 * - cgic_transfers_total{connector,status}
 * - cgic_units_set_aside_total{connector}: units (files, bodies) that failed every attempt and were set aside
 * - cgic_webhooks_total{connector,outcome}: accepted, duplicate, backlog (429), unavailable (503), refused (401/413/415, and 429 past the sender's limit of refused requests)
 * - cgic_deliveries_total{destination,outcome}: delivered, retried, dead
 * - cgic_delivery_latency_seconds{destination}: from the delivery written to the ledger to delivered
 * - cgic_queue_depth{queue,state}: waiting, active, delayed, failed jobs (sampled on scrape)
 * - cgic_lead_turnaround_seconds{recipient}: lead stored -> package delivered to that agency
 * - cgic_lead_versions_total{outcome}: published, unchanged, pending
 * - cgic_api_audit_entries_total{category,result}: API requests' audit entries written, or failed (the request refused)
 * - cgic_connector_quiet{connector}: 1 when the feed brought no data for longer than its expectEvery (sampled on scrape)
 * - cgic_connector_last_data_timestamp_seconds{connector}: when the feed last brought data (sampled on scrape)
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly records: Counter<'connector' | 'stage' | 'outcome'>;
  readonly transfers: Counter<'connector' | 'status'>;
  readonly polls: Counter<'connector' | 'outcome'>;
  readonly unitsSetAside: Counter<'connector'>;
  readonly webhooks: Counter<'connector' | 'outcome'>;
  readonly deliveries: Counter<'destination' | 'outcome'>;
  readonly deliveryLatency: Histogram<'destination'>;
  readonly queueDepth: Gauge<'queue' | 'state'>;
  readonly leadTurnaround: Histogram<'recipient'>;
  readonly leadVersions: Counter<'outcome'>;
  readonly auditEntries: Counter<'category' | 'result'>;
  readonly connectorQuiet: Gauge<'connector'>;
  readonly connectorLastData: Gauge<'connector'>;
}

export function createMetrics(opts: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'cgic_' });
  return {
    registry,
    records: new Counter({ name: 'cgic_records_total', help: 'Records by connector, pipeline stage and outcome.', labelNames: ['connector', 'stage', 'outcome'], registers: [registry] }),
    transfers: new Counter({ name: 'cgic_transfers_total', help: 'Finished transfers by connector and status.', labelNames: ['connector', 'status'], registers: [registry] }),
    polls: new Counter({ name: 'cgic_polls_total', help: 'Runs of a source connector by outcome: claimed (one transfer per unit), empty (no transfer), failed.', labelNames: ['connector', 'outcome'], registers: [registry] }),
    unitsSetAside: new Counter({ name: 'cgic_units_set_aside_total', help: 'Units (files, webhook bodies) that failed every attempt with an unexpected error and were set aside with a dead letter.', labelNames: ['connector'], registers: [registry] }),
    webhooks: new Counter({ name: 'cgic_webhooks_total', help: 'Webhook requests by outcome: accepted, duplicate, backlog (429), unavailable (503), refused (401, 413, 415; 429 past the limit of refused requests of its address).', labelNames: ['connector', 'outcome'], registers: [registry] }),
    deliveries: new Counter({ name: 'cgic_deliveries_total', help: 'Delivery attempts by destination and outcome (delivered, retry, dead).', labelNames: ['destination', 'outcome'], registers: [registry] }),
    deliveryLatency: new Histogram({
      name: 'cgic_delivery_latency_seconds',
      help: 'Seconds from a delivery being written (its records committed) to the destination acknowledging it.',
      labelNames: ['destination'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600],
      registers: [registry],
    }),
    leadTurnaround: new Histogram({
      name: 'cgic_lead_turnaround_seconds',
      help: 'Seconds from a NIBIN lead (version) being stored to its package being delivered to a recipient agency.',
      labelNames: ['recipient'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400],
      registers: [registry],
    }),
    leadVersions: new Counter({ name: 'cgic_lead_versions_total', help: 'Lead enrichment outcomes: published (a new version), unchanged, pending.', labelNames: ['outcome'], registers: [registry] }),
    auditEntries: new Counter({ name: 'cgic_api_audit_entries_total', help: "API requests' audit entries: written, or failed (the request was refused).", labelNames: ['category', 'result'], registers: [registry] }),
    connectorQuiet: new Gauge({
      name: 'cgic_connector_quiet',
      help: 'A connector that should bring data every connectors[].expectEvery and has brought none for longer: 1, else 0. Sampled when scraped.',
      labelNames: ['connector'],
      registers: [registry],
    }),
    connectorLastData: new Gauge({ name: 'cgic_connector_last_data_timestamp_seconds', help: 'When the connector last brought data (a transfer that read anything), Unix seconds. Sampled when scraped.', labelNames: ['connector'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'cgic_queue_depth', help: 'Jobs per queue and state, sampled when scraped.', labelNames: ['queue', 'state'], registers: [registry] }),
  };
}
