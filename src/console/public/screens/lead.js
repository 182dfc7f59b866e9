// One lead. An analyst sees the full lead: its events and links, every version, and each recipient
// with what it was sent (the package, as the sharing rules cut it), when, and the turnaround. An
// agency sees its latest package only, as the API gives it. Live: a new version appears without a
// reload.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { Screen, ErrorBox, Loading, Empty, Time, Status, Link } from '../lib/ui.js';
import { duration } from '../lib/time.js';

const text = (v) => (v === null || v === undefined ? '—' : typeof v === 'object' ? (v.text ?? v.code ?? v.name ?? JSON.stringify(v)) : String(v));

function Events({ events }) {
  if (!events?.length) return html`<p class="muted">No events.</p>`;
  return html`<div class="table-wrap"><table>
    <caption>Events linked by the lead</caption>
    <thead><tr><th scope="col">Event</th><th scope="col">Agency</th><th scope="col">Case</th><th scope="col">Lab case</th><th scope="col">Role</th><th scope="col">Occurred</th><th scope="col">Town</th><th scope="col">Offense</th><th scope="col">Firearm</th><th scope="col">Trace</th></tr></thead>
    <tbody>${events.map((e) => html`<tr>
      <th scope="row">${e.eventId}${e.disclosure ? html` <span class="muted">(${e.disclosure})</span>` : null}</th>
      <td>${e.agency?.name ?? ''} <span class="muted">${e.agency?.ori ?? ''}</span>${e.agency?.contact ? html`<div class="detail">${Object.values(e.agency.contact).join(', ')}</div>` : null}</td>
      <td>${e.agencyCaseNumber ?? '—'}</td>
      <td>${(e.labCaseNumbers ?? []).join(', ') || '—'}</td>
      <td>${e.role ?? '—'}</td>
      <td><${Time} iso=${e.occurredAt} /></td>
      <td>${e.town ?? '—'}</td>
      <td>${text(e.offense)}${e.eventKind ? html` <span class="muted">${e.eventKind}</span>` : null}</td>
      <td>${e.firearm ? [text(e.firearm.make), text(e.firearm.model), e.firearm.serial ? `serial ${text(e.firearm.serial.raw ?? e.firearm.serial)}` : ''].filter((x) => x && x !== '—').join(' ') : '—'}</td>
      <td>${e.trace ? `${text(e.trace.status)}${e.trace.timeToCrimeDays !== undefined ? `, time-to-crime ${e.trace.timeToCrimeDays} d` : ''}` : e.recoveredNotTraced ? 'recovered, never traced' : '—'}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

function Links({ links }) {
  if (!links?.length) return null;
  return html`<div class="table-wrap"><table>
    <caption>Links between events</caption>
    <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Confirmed</th></tr></thead>
    <tbody>${links.map((l) => html`<tr><td>${l.fromEventId}</td><td>${l.toEventId}</td><td><${Status} value=${l.status} /></td><td><${Time} iso=${l.confirmedAt} /></td></tr>`)}</tbody>
  </table></div>`;
}

function Received({ leadId, version, ori }) {
  const [open, setOpen] = useState(false);
  const p = useApi(open ? `/api/leads/${encodeURIComponent(leadId)}/packages?version=${version}&recipient=${encodeURIComponent(ori)}` : null);
  return html`<details onToggle=${(e) => setOpen(e.currentTarget.open)}>
    <summary>What ${ori} received in version ${version}</summary>
    ${p.error ? html`<${ErrorBox} error=${p.error} />` : null}
    ${open && p.data ? p.data.map((x) => html`<div class="package">
      <p>Fields disclosed per event: ${Object.entries(x.fieldsDisclosed).map(([ev, fields]) => html`<span class="chip">${ev}: ${fields.join(', ')}</span> `)}</p>
      <${Events} events=${x.package.events} />
    </div>`) : open && !p.error ? html`<${Loading} />` : null}
  </details>`;
}

function AnalystLead({ d }) {
  const lead = d.lead;
  const recipients = d.dissemination ?? [];
  return html`
    <dl class="facts">
      <div><dt>Latest version</dt><dd data-lead-version>${d.version ?? '—'}</dd></div>
      <div><dt>Status</dt><dd>${lead ? html`<${Status} value=${lead.status} />` : '—'}</dd></div>
      <div><dt>Caliber</dt><dd>${text(lead?.caliber)}</dd></div>
      ${d.pending ? html`<div><dt>Waiting for</dt><dd>${(d.pending.missing ?? []).join(', ')} until <${Time} iso=${d.pending.deadline} /></dd></div>` : null}
      ${lead?.missing?.length ? html`<div><dt>Not received yet</dt><dd>${lead.missing.join(', ')}</dd></div>` : null}
    </dl>
    <h2>Events and links</h2>
    <${Events} events=${lead?.events} />
    <${Links} links=${lead?.links} />
    <h2>Versions</h2>
    <ol class="versions">${(d.versions ?? []).map((v) => html`<li>Version ${v.version}: ${v.reason} · stored <${Time} iso=${v.leadStoredAt} />${v.complete ? '' : ' · some records missing'}</li>`)}</ol>
    <h2>Recipients</h2>
    ${recipients.length === 0
      ? html`<${Empty} title="Not sent to anyone yet.">A lead is sent once its records are in (or when leads.enrichmentWaitSeconds runs out).</${Empty}>`
      : html`<div class="table-wrap"><table>
          <caption>Who received which version, and when</caption>
          <thead><tr><th scope="col">Recipient</th><th scope="col">Version</th><th scope="col">Why</th><th scope="col">Package made</th><th scope="col">Delivered</th><th scope="col">Turnaround</th><th scope="col">Deliveries</th></tr></thead>
          <tbody>${recipients.map((r) => html`<tr data-recipient=${r.recipientOri}>
            <th scope="row">${r.recipientOri}</th>
            <td class="num">${r.version}</td>
            <td class="wrap">${r.reason}</td>
            <td><${Time} iso=${r.createdAt} /></td>
            <td>${r.deliveredAt ? html`<${Time} iso=${r.deliveredAt} />` : html`<${Status} value="pending" label="not yet" />`}</td>
            <td>${r.turnaroundSeconds !== null ? duration(r.turnaroundSeconds) : '—'}</td>
            <td>${r.deliveries.map((x) => html`<div><${Status} value=${x.status} /> ${x.destinationId}${x.attempts > 1 ? ` (${x.attempts} attempts)` : ''}${x.lastError ? html`<span class="detail"> ${x.lastError}</span>` : null}</div>`)}</td>
          </tr>`)}</tbody>
        </table></div>
        ${recipients.map((r) => html`<${Received} leadId=${d.leadId} version=${r.version} ori=${r.recipientOri} />`)}`}
  `;
}

function AgencyPackage({ p }) {
  return html`
    <dl class="facts">
      <div><dt>Version</dt><dd data-lead-version>${p.version}</dd></div>
      <div><dt>Status</dt><dd><${Status} value=${p.status} /></dd></div>
      <div><dt>Caliber</dt><dd>${text(p.caliber)}</dd></div>
      <div><dt>Sent</dt><dd><${Time} iso=${p.generatedAt} /></dd></div>
      ${p.supersedesVersion ? html`<div><dt>Replaces</dt><dd>version ${p.supersedesVersion}</dd></div>` : null}
    </dl>
    <p class="caveat">${p.caveat}</p>
    <h2>Events and links</h2>
    <${Events} events=${p.events} />
    <${Links} links=${p.links} />`;
}

export function LeadPage({ me, route }) {
  const id = route.parts[1];
  useScreenTitle(`Lead ${id}`);
  const lead = useApi(`/api/leads/${encodeURIComponent(id)}`, { topics: ['leads'] });
  const d = lead.data;
  return html`<${Screen} title=${`Lead ${id}`} actions=${html`<${Link} to="/leads">All leads</${Link}>`} intro="Investigative intelligence, not evidence: a lead is not a confirmed identification until an examiner confirms it.">
    ${lead.error ? html`<${ErrorBox} error=${lead.error} what=${lead.error.status === 404 ? `No lead ${id} that you may see.` : undefined} />` : null}
    ${!d ? (lead.error ? null : html`<${Loading} />`) : me.role === 'agency' ? html`<${AgencyPackage} p=${d} />` : html`<${AnalystLead} d=${d} />`}
  </${Screen}>`;
}
