/**
 * Lead packages: from a stored NIBIN lead to one package per recipient agency, versioned.
 *
 * Input: a lead id (a lead or a record it names changed, or its wait for late records ran out).
 * Output, in one transaction (serialized per lead across processes):
 * - nothing, when the enriched lead is the same as the last version (a re-ingested lead sends nothing);
 * - pending, when it names records the hub has not received and the configured wait has not run out;
 * - otherwise a new lead version, and for every recipient (each agency owning an event, every agency on
 *   the events' lab cases, the CGIC analysts) a package cut by the sharing rules, marked as superseding
 *   the version that recipient had, written to the dissemination ledger with the fields it discloses,
 *   and a delivery per destination of that agency that takes leads (in its lead format).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/hub-config.ts';
import type { Store } from '../store/index.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { validateLeadPackage } from '../canonical/validator.ts';
import {
  clearPending,
  getPending,
  insertLeadPackage,
  insertLeadVersion,
  lastVersionSent,
  latestLeadVersion,
  lockLead,
  releasePending,
  setPending,
} from '../store/lead-ledger.ts';
import { correlate, type EnrichedLead } from './correlate.ts';
import { redactFor } from './sharing.ts';
import { HubError } from '../errors/hub-error.ts';

export interface LeadDeps {
  readonly cfg: HubConfig;
  readonly store: Store;
  readonly log: Logger;
  enqueueDeliveries(list: readonly { deliveryId: string; destinationId: string }[]): Promise<void>;
  /** Look at the lead again at this time (its wait for late records runs out). */
  scheduleCheck(leadId: string, at: Date): Promise<void>;
}

export type LeadOutcome =
  | { outcome: 'no-lead' | 'unchanged' }
  | { outcome: 'pending'; missing: string[]; deadline: string }
  | { outcome: 'published'; version: number; recipients: string[]; reason: string; complete: boolean };

/**
 * What a log line says of an outcome: ids, counts and the version, never the records a lead still
 * waits for (`missing` names lab and agency case numbers) nor the change's reason (it names events).
 */
export function leadLogFields(out: LeadOutcome): Record<string, unknown> {
  switch (out.outcome) {
    case 'pending':
      return { outcome: out.outcome, missing: out.missing.length, deadline: out.deadline };
    case 'published':
      return { outcome: out.outcome, version: out.version, recipients: out.recipients, complete: out.complete };
    default:
      return { outcome: out.outcome };
  }
}

const CONFIRMED_NOTE = ' Links marked CONFIRMED_HIT were confirmed by a firearms examiner; the other links remain investigative leads.';

/** Why a version differs from the one before, in words for the ledger and the package. */
export function describeChange(prev: Record<string, unknown> | undefined, next: EnrichedLead & { complete: boolean }): string {
  if (!prev) return next.complete ? 'new lead' : 'new lead (sent before every record arrived)';
  const reasons: string[] = [];
  const prevEvents = new Set(((prev.events as { eventId: string }[]) ?? []).map((e) => e.eventId));
  const added = next.events.filter((e) => !prevEvents.has(e.eventId)).map((e) => e.eventId);
  if (added.length) reasons.push(`event added: ${added.join(', ')}`);
  const prevLinks = new Map(((prev.links as { fromEventId: string; toEventId: string; status: string }[]) ?? []).map((l) => [`${l.fromEventId}-${l.toEventId}`, l.status]));
  for (const l of next.links) {
    const before = prevLinks.get(`${l.fromEventId}-${l.toEventId}`);
    if (before !== undefined && before !== l.status) reasons.push(`link ${l.fromEventId}-${l.toEventId} ${l.status}`);
  }
  if (prev.status !== next.status) reasons.push(`lead ${next.status}`);
  if (prev.complete === false && next.complete) reasons.push('enrichment completed');
  return reasons.length ? reasons.join('; ') : 'details updated';
}

function recipientsOf(cfg: HubConfig, lead: EnrichedLead): { ori: string; analyst: boolean }[] {
  const out = new Map<string, boolean>();
  for (const e of lead.events) out.set(e.agency.ori, false);
  for (const a of cfg.agencies) if (a.kind === 'cgic') out.set(a.ori, true);
  return [...out].map(([ori, analyst]) => ({ ori, analyst }));
}

export async function processLead(deps: LeadDeps, leadId: string, now: Date = new Date()): Promise<LeadOutcome> {
  const { cfg, store } = deps;
  const lead = await store.getRecord('NibinLead', leadId, { sourceLimit: 0 });
  if (!lead) return { outcome: 'no-lead' };
  const enriched = await correlate(store, lead, cfg.agencies);
  const pendingDeliveries: { deliveryId: string; destinationId: string }[] = [];
  let schedule: Date | null = null;
  const result = await store.transaction(async (tx): Promise<LeadOutcome> => {
    await lockLead(tx, leadId);
    const pending = await getPending(tx, leadId);
    if (enriched.missing.length) {
      if (!pending) {
        const deadline = new Date(now.getTime() + cfg.leads.enrichmentWaitSeconds * 1000);
        await setPending(tx, leadId, deadline, enriched.missing);
        if (cfg.leads.enrichmentWaitSeconds > 0) {
          schedule = deadline;
          return { outcome: 'pending', missing: enriched.missing, deadline: deadline.toISOString() };
        }
        await releasePending(tx, leadId, enriched.missing);
      } else if (!pending.released && now.getTime() < Date.parse(pending.deadline)) {
        await setPending(tx, leadId, new Date(pending.deadline), enriched.missing);
        return { outcome: 'pending', missing: enriched.missing, deadline: pending.deadline };
      } else if (!pending.released) await releasePending(tx, leadId, enriched.missing);
    } else if (pending) await clearPending(tx, leadId);

    const complete = enriched.missing.length === 0;
    const content = { ...enriched, complete };
    const hash = createHash('sha256').update(canonicalJson(content)).digest('hex');
    const latest = await latestLeadVersion(tx, leadId);
    if (latest && latest.contentHash === hash) return { outcome: 'unchanged' };
    const version = (latest?.version ?? 0) + 1;
    const reason = describeChange(latest?.enriched, content);
    const leadStoredAt = String(lead.updatedAt);
    await insertLeadVersion(tx, { leadId, version, contentHash: hash, enriched: content as unknown as Record<string, unknown>, complete, reason, leadStoredAt });
    const confirmed = enriched.links.some((l) => l.status === 'CONFIRMED_HIT');
    const caveat = cfg.leads.caveat + (confirmed ? CONFIRMED_NOTE : '');
    const recipients = recipientsOf(cfg, enriched);
    for (const r of recipients) {
      const agency = cfg.agencies.find((a) => a.ori === r.ori);
      const view = redactFor(enriched, r.ori, r.analyst, cfg.sharing);
      const supersedes = await lastVersionSent(tx, leadId, r.ori);
      const pkg: Record<string, unknown> = {
        packageId: `${leadId}.${r.ori}.v${version}`,
        leadId,
        version,
        supersedesVersion: supersedes,
        status: enriched.status,
        ...(enriched.caliber ? { caliber: enriched.caliber } : {}),
        caveat,
        generatedAt: now.toISOString(),
        recipient: { ori: r.ori, ...(agency?.name ? { name: agency.name } : {}) },
        events: view.events,
        links: enriched.links,
        enrichment: { complete, ...(complete ? {} : { missing: view.missing }) },
        reason: supersedes === null && latest ? `${reason} (first package for this agency: the whole lead)` : reason,
      };
      const issues = validateLeadPackage(pkg);
      if (issues.length) {
        // A bug, not bad data: roll the version back so the lead is tried again once fixed.
        throw new HubError('HUB_ERR_SYSTEM_INTERNAL', { reason: `lead package ${String(pkg.packageId)} fails its schema: ${issues.map((i) => `${i.pointer} ${i.reason}`).join('; ')}` });
      }
      await insertLeadPackage(tx, { leadId, version, recipientOri: r.ori, package: pkg, fieldsDisclosed: view.fieldsDisclosed, reason: String(pkg.reason) });
      const destinations = (agency?.destinations ?? []).filter((d) => d.enabled && d.content.includes('leads'));
      if (!destinations.length) deps.log.warn({ lead: leadId, recipient: r.ori }, 'recipient has no destination that takes leads: package kept in the ledger only');
      for (const d of destinations) {
        const deliveryId = `lead-${createHash('sha256').update(`${leadId}\n${version}\n${r.ori}\n${d.id}`).digest('hex').slice(0, 40)}`;
        const fresh = await store.createDelivery(
          { deliveryId, destinationId: d.id, content: 'lead', packageRef: `lead:${leadId}@${version}:${r.ori}`, payload: { package: pkg, leadStoredAt } },
          tx,
        );
        if (fresh) pendingDeliveries.push({ deliveryId, destinationId: d.id });
      }
    }
    // The dissemination in the audit trail, keyed like the ledger (lead, version, recipient), in this
    // transaction: a package is never written without its entry. Last, so the chain's lock is held only to the commit.
    await store.appendAudit(
      recipients.map((r) => ({ category: 'dissemination', action: 'lead package', actor: 'hub', ori: r.ori, subjects: [{ type: 'lead', id: leadId, version }], outcome: 'ok', detail: { recipientOri: r.ori, packageId: `${leadId}.${r.ori}.v${version}`, reason } })),
      tx,
    );
    return { outcome: 'published', version, recipients: recipients.map((r) => r.ori), reason, complete };
  });
  if (pendingDeliveries.length) await deps.enqueueDeliveries(pendingDeliveries);
  if (schedule) await deps.scheduleCheck(leadId, schedule);
  return result;
}
