// Overview: each connector (kind, agency, health and why, last and next run, records in the last
// 24 h, "no data since" when a feed has gone quiet past its cadence), each destination (reachable,
// last success, queue, oldest waiting, failing, dead letters), and throughput and lead turnaround per
// hour. Live: re-read when transfers or dead letters change (at most every 5 s), and every 30 s.
import { html } from '../lib/html.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { Screen, ErrorBox, Loading, Empty, Time, Status, BarChart, Link, num } from '../lib/ui.js';
import { formatHour, duration, relative } from '../lib/time.js';

// A summary: re-read at most every 5 s while the hub is busy, and every 30 s regardless.
const LIVE = { topics: ['transfers', 'deadLetters'], pollMs: 30000, minMs: 5000 };

function Health({ h }) {
  if (!h) return html`<span class="muted">not checked yet</span>`;
  return html`<${Status} value=${h.ok ? 'ok' : 'down'} label=${h.ok ? 'OK' : 'Failing'} />${h.detail ? html` <span class="detail">${h.detail}</span>` : null}`;
}

function Connectors({ connectors, feeds }) {
  const byId = new Map((feeds ?? []).map((f) => [f.connectorId, f]));
  if (!connectors.length) return html`<${Empty} title="No connectors are configured.">Add one under <code>connectors:</code> in the hub configuration (docs/adding-an-agency.md), then restart or reload the hub.</${Empty}>`;
  return html`<div class="table-wrap"><table>
    <caption>Connectors (sources)</caption>
    <thead><tr><th scope="col">Connector</th><th scope="col">Kind</th><th scope="col">Agency</th><th scope="col">Health</th><th scope="col">Last run</th><th scope="col">Next run</th><th scope="col" class="num">Records, 24 h</th><th scope="col">Data</th></tr></thead>
    <tbody>${connectors.map((c) => {
      const f = byId.get(c.id);
      return html`<tr>
        <th scope="row"><${Link} to="/transfers" query=${{ connector: c.id }}>${c.id}</${Link}>${c.enabled ? null : html` <${Status} value="muted" label="disabled" />`}</th>
        <td>${c.kind}</td>
        <td>${c.agency}</td>
        <td><${Health} h=${c.health} /></td>
        <td>${c.lastRun ? html`<${Link} to=${`/transfers/${c.lastRun.id}`}><${Status} value=${c.lastRun.status} /></${Link}> <${Time} iso=${c.lastRun.createdAt} />` : html`<span class="muted">never</span>`}</td>
        <td>${c.nextRun ? html`<${Time} iso=${c.nextRun} />` : html`<span class="muted">${c.schedule ? '—' : 'on demand / webhook'}</span>`}</td>
        <td class="num">${f ? num(f.recordsLast24h) : '—'}</td>
        <td>${f?.quietSince
          ? html`<${Status} value="quiet" label="No data" /> since <${Time} iso=${f.lastDataAt ?? f.quietSince} /> <span class="detail">expected every ${duration(f.expectEverySeconds)}</span>`
          : f?.lastDataAt
            ? html`last <${Time} iso=${f.lastDataAt} />`
            : html`<span class="muted">none yet</span>`}</td>
      </tr>`;
    })}</tbody>
  </table></div>`;
}

function Destinations({ list }) {
  if (!list.length) return html`<${Empty} title="No destinations are configured.">Agencies receive their records and lead packages through <code>agencies[].destinations</code> in the hub configuration (docs/adding-an-agency.md).</${Empty}>`;
  return html`<div class="table-wrap"><table>
    <caption>Destinations (agencies receiving)</caption>
    <thead><tr><th scope="col">Destination</th><th scope="col">Agency</th><th scope="col">Reachable</th><th scope="col">Last success</th><th scope="col" class="num">Queue</th><th scope="col">Oldest waiting</th><th scope="col" class="num">Failing</th><th scope="col" class="num">Dead letters</th></tr></thead>
    <tbody>${list.map((d) => html`<tr>
      <th scope="row">${d.id} <span class="muted">${d.kind}</span></th>
      <td>${d.agencyName} <span class="muted">${d.agency}</span></td>
      <td><${Health} h=${d.health} /></td>
      <td>${d.lastDeliveredAt ? html`<${Time} iso=${d.lastDeliveredAt} />` : html`<span class="muted">never</span>`}</td>
      <td class="num" data-queue=${d.id}>${d.queue ? html`${num(d.pending)} <span class="muted">(${d.queue.waiting} waiting, ${d.queue.active} active, ${d.queue.delayed} retrying)</span>` : html`${num(d.pending)} <span class="muted">(queue unreadable)</span>`}</td>
      <td>${d.oldestPendingAt ? html`<${Time} iso=${d.oldestPendingAt} /> <span class="muted">${relative(d.oldestPendingAt)}</span>` : html`<span class="muted">none</span>`}</td>
      <td class="num">${d.failing ? html`<${Status} value="failing" label=${num(d.failing)} />` : '0'}${d.lastError && d.failing ? html`<div class="detail">${d.lastError}</div>` : null}</td>
      <td class="num">${d.deadLetters ? html`<${Link} to="/dead-letters" query=${{ destination: d.id }}><${Status} value="dead" label=${num(d.deadLetters)} /></${Link}>` : '0'}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

export function Overview() {
  useScreenTitle('Overview');
  const connectors = useApi('/api/connectors', LIVE);
  const destinations = useApi('/api/destinations', LIVE);
  const overview = useApi('/api/overview?hours=12', LIVE);
  const o = overview.data;
  return html`<${Screen} title="Overview" intro="What every feed and every agency's delivery is doing now. This screen follows the hub live.">
    <h2>Sources</h2>
    ${connectors.error ? html`<${ErrorBox} error=${connectors.error} />` : null}
    ${connectors.data ? html`<${Connectors} connectors=${connectors.data} feeds=${o?.connectors} />` : connectors.error ? null : html`<${Loading} what="Checking the connectors" />`}
    <h2>Destinations</h2>
    ${destinations.error ? html`<${ErrorBox} error=${destinations.error} />` : null}
    ${destinations.data ? html`<${Destinations} list=${destinations.data} />` : destinations.error ? null : html`<${Loading} what="Checking the destinations" />`}
    <h2>The last ${o?.hours ?? 12} hours</h2>
    ${overview.error ? html`<${ErrorBox} error=${overview.error} />` : null}
    ${o
      ? html`<div class="charts">
          <${BarChart} title="Source records read per hour" points=${o.throughput} value=${(p) => p.rowsRead} label=${(p) => formatHour(p.hour)} format=${num} />
          <${BarChart} title="Records stored per hour" points=${o.throughput} value=${(p) => p.recordsStored} label=${(p) => formatHour(p.hour)} format=${num} />
          <${BarChart} title="Lead turnaround per hour (median, stored to delivered)" points=${o.leadTurnaround} value=${(p) => p.medianSeconds} label=${(p) => formatHour(p.hour)} format=${(v) => duration(v)} summed=${false} />
        </div>`
      : overview.error ? null : html`<${Loading} />`}
  </${Screen}>`;
}
