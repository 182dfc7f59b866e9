// Overview: each connector (kind, agency, health and why, last and next run, records in the last
// 24 h, "no data since" when a feed has gone quiet past its cadence), each destination (reachable,
// last success, queue, oldest waiting, failing, dead letters), and throughput and lead turnaround per
// hour. Live: re-read when transfers or dead letters change (at most every 5 s), and every 30 s.
// An administrator steers the connectors from here, each action confirmed first: run now, dry run,
// pause and resume a schedule, see a connector's configuration (secrets masked), and reload the
// hub's configuration file without a restart.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { api } from '../lib/api.js';
import { Screen, ErrorBox, Loading, Empty, Time, Status, BarChart, Link, Confirm, num } from '../lib/ui.js';
import { formatHour, duration, relative } from '../lib/time.js';

// A summary: re-read at most every 5 s while the hub is busy, and every 30 s regardless.
const LIVE = { topics: ['transfers', 'deadLetters'], pollMs: 30000, minMs: 5000 };

function Health({ h }) {
  if (!h) return html`<span class="muted">not checked yet</span>`;
  return html`<${Status} value=${h.ok ? 'ok' : 'down'} label=${h.ok ? 'OK' : 'Failing'} />${h.detail ? html` <span class="detail">${h.detail}</span>` : null}`;
}

/** What each action asks before it acts, and what it calls. */
const ACTIONS = {
  run: { label: 'Run now', title: (id) => `Run ${id} now?`, text: 'One run now: what is ready is read, stored and delivered, as a scheduled run would.', call: (id) => api(`/api/connectors/${encodeURIComponent(id)}/run?wait=5`, { method: 'POST', body: {} }) },
  dry: {
    label: 'Dry run',
    title: (id) => `Dry run ${id}?`,
    text: 'The records are read and mapped and the transfer keeps the counts; nothing is stored, quarantined or delivered. A file goes back to its folder, where the next run reads it for real: pause the schedule first to only look.',
    call: (id) => api(`/api/connectors/${encodeURIComponent(id)}/run?wait=5`, { method: 'POST', body: { dryRun: true } }),
  },
  pause: { label: 'Pause', title: (id) => `Pause the schedule of ${id}?`, text: 'Its scheduled runs poll nothing until it is resumed (for every hub process, and across restarts). Transfers under way finish; Run now still runs.', call: (id) => api(`/api/connectors/${encodeURIComponent(id)}/pause`, { method: 'POST', body: {} }) },
  resume: { label: 'Resume', title: (id) => `Resume the schedule of ${id}?`, text: 'Its next scheduled run polls again.', call: (id) => api(`/api/connectors/${encodeURIComponent(id)}/resume`, { method: 'POST', body: {} }) },
};

function outcomeText(kind, id, r) {
  if (kind === 'pause') return `The schedule of ${id} is paused.`;
  if (kind === 'resume') return `The schedule of ${id} runs again.`;
  const skipped = (r?.skipped ?? []).map((x) => ` Skipped ${x.name}: ${x.reason}.`).join('');
  const what = kind === 'dry' ? 'Dry run' : 'Run';
  if (r?.state === 'claimed') return `${what} of ${id}: ${r.transferIds.length} transfer${r.transferIds.length === 1 ? '' : 's'} queued (see Transfers).${skipped}`;
  if (r?.state === 'empty') return `${what} of ${id}: nothing was ready, no transfer.${skipped}`;
  if (r?.state === 'failed') return `${what} of ${id} failed: ${r.error}`;
  return `${what} of ${id} asked; the hub has not claimed yet (see Transfers).`;
}

function ConnectorConfig({ id }) {
  const cfg = useApi(`/api/connectors/${encodeURIComponent(id)}/config`);
  if (cfg.error) return html`<${ErrorBox} error=${cfg.error} />`;
  if (!cfg.data) return html`<${Loading} what="Reading the configuration" />`;
  return html`<pre class="cli" aria-label=${`Configuration of ${id}`}>${JSON.stringify(cfg.data, null, 2)}</pre>`;
}

function Reload({ onDone }) {
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState(null);
  const reload = async () => {
    setAsking(false);
    try {
      setResult({ ok: await api('/api/reload', { method: 'POST', body: {} }) });
    } catch (e) {
      setResult({ error: e });
    }
    onDone();
  };
  const changes = (r) => ['agencies', 'connectors', 'destinations'].map((k) => {
    const c = r[k];
    const parts = [c.added.length ? `added ${c.added.join(', ')}` : '', c.removed.length ? `removed ${c.removed.join(', ')}` : '', c.changed.length ? `changed ${c.changed.join(', ')}` : ''].filter(Boolean);
    return html`<li>${k}: ${parts.length ? parts.join('; ') : 'unchanged'}</li>`;
  });
  return html`<div class="actions">
      <button type="button" onClick=${() => setAsking(true)}>Reload configuration…</button>
    </div>
    ${result?.ok ? html`<div class="notice" role="status"><p>The configuration file was read again and applied.</p><ul>${changes(result.ok)}<li>API keys in force: ${result.ok.keys}</li></ul>
      ${result.ok.restartNeeded.length ? html`<p>Changed, but applied only at the next start: ${result.ok.restartNeeded.join(', ')}.</p>` : null}</div>` : null}
    ${result?.error ? html`<div class="error" role="alert"><p>${result.error.message}</p>
      ${result.error.problems?.length ? html`<ul>${result.error.problems.map((p) => html`<li><code>${p.file}:${p.line}:${p.col}</code> ${p.pointer} ${p.message}${p.hint ? html` <span class="detail">(${p.hint})</span>` : null}</li>`)}</ul>` : null}
      <p>Nothing changed: the configuration in force stays. Correct the file and reload again.</p></div>` : null}
    <${Confirm} open=${asking} title="Reload the configuration?" confirmLabel="Reload" onConfirm=${reload} onCancel=${() => setAsking(false)}>
      <p>The hub reads its configuration file again and checks it whole. If it has a problem, nothing changes and every problem is listed. Otherwise added connectors and agencies start, removed ones stop, changed schedules take effect and API keys are replaced; transfers and deliveries under way finish.</p>
    </${Confirm}>`;
}

function Connectors({ connectors, feeds, admin, onChanged }) {
  const [asking, setAsking] = useState(null);
  const [result, setResult] = useState(null);
  const [shown, setShown] = useState(null);
  const act = async ({ kind, id }) => {
    setAsking(null);
    try {
      setResult({ ok: outcomeText(kind, id, await ACTIONS[kind].call(id)) });
    } catch (e) {
      setResult({ error: e });
    }
    onChanged();
  };
  const byId = new Map((feeds ?? []).map((f) => [f.connectorId, f]));
  if (!connectors.length) return html`<${Empty} title="No connectors are configured.">Add one under <code>connectors:</code> in the hub configuration (docs/adding-an-agency.md), then restart or reload the hub.</${Empty}>`;
  return html`${result?.ok ? html`<div class="notice" role="status"><p>${result.ok}</p></div>` : null}
    ${result?.error ? html`<${ErrorBox} error=${result.error} what="The hub refused this action." />` : null}
    <div class="table-wrap"><table>
    <caption>Connectors (sources)</caption>
    <thead><tr><th scope="col">Connector</th><th scope="col">Kind</th><th scope="col">Agency</th><th scope="col">Health</th><th scope="col">Last run</th><th scope="col">Next run</th><th scope="col" class="num">Records, 24 h</th><th scope="col">Data</th>${admin ? html`<th scope="col">Actions</th>` : null}</tr></thead>
    <tbody>${connectors.map((c) => {
      const f = byId.get(c.id);
      return html`<tr>
        <th scope="row"><${Link} to="/transfers" query=${{ connector: c.id }}>${c.id}</${Link}>${c.enabled ? null : html` <${Status} value="muted" label="disabled" />`}</th>
        <td>${c.kind}</td>
        <td>${c.agency}</td>
        <td><${Health} h=${c.health} /></td>
        <td>${c.lastRun ? html`<${Link} to=${`/transfers/${c.lastRun.id}`}><${Status} value=${c.lastRun.status} /></${Link}> <${Time} iso=${c.lastRun.createdAt} />` : html`<span class="muted">never</span>`}</td>
        <td>${c.paused
          ? html`<${Status} value="muted" label="Paused" /> <span class="detail">since <${Time} iso=${c.paused.at} /> by ${c.paused.by}</span>`
          : c.nextRun ? html`<${Time} iso=${c.nextRun} />` : html`<span class="muted">${c.schedule ? '—' : 'on demand / webhook'}</span>`}</td>
        <td class="num">${f ? num(f.recordsLast24h) : '—'}</td>
        <td>${f?.quietSince
          ? html`<${Status} value="quiet" label="No data" /> since <${Time} iso=${f.lastDataAt ?? f.quietSince} /> <span class="detail">expected every ${duration(f.expectEverySeconds)}</span>`
          : f?.lastDataAt
            ? html`last <${Time} iso=${f.lastDataAt} />`
            : html`<span class="muted">none yet</span>`}</td>
        ${admin ? html`<td><div class="actions" style="flex-wrap: wrap; gap: 0.4rem">
          ${c.kind !== 'webhook' && c.enabled ? html`<button type="button" onClick=${() => setAsking({ kind: 'run', id: c.id })}>Run now…</button><button type="button" onClick=${() => setAsking({ kind: 'dry', id: c.id })}>Dry run…</button>` : null}
          ${c.schedule ? html`<button type="button" onClick=${() => setAsking({ kind: c.paused ? 'resume' : 'pause', id: c.id })}>${c.paused ? 'Resume…' : 'Pause…'}</button>` : null}
          <button type="button" aria-expanded=${shown === c.id} onClick=${() => setShown(shown === c.id ? null : c.id)}>Configuration</button>
        </div></td>` : null}
      </tr>${shown === c.id ? html`<tr><td colspan=${admin ? 9 : 8}><${ConnectorConfig} id=${c.id} /></td></tr>` : null}`;
    })}</tbody>
  </table></div>
  <${Confirm} open=${Boolean(asking)} title=${asking ? ACTIONS[asking.kind].title(asking.id) : ''} confirmLabel=${asking ? ACTIONS[asking.kind].label : ''} onConfirm=${() => act(asking)} onCancel=${() => setAsking(null)}>
    <p>${asking ? ACTIONS[asking.kind].text : ''}</p>
  </${Confirm}>`;
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

export function Overview({ me }) {
  useScreenTitle('Overview');
  const admin = me?.role === 'admin';
  const connectors = useApi('/api/connectors', LIVE);
  const destinations = useApi('/api/destinations', LIVE);
  const overview = useApi('/api/overview?hours=12', LIVE);
  const o = overview.data;
  return html`<${Screen} title="Overview" intro="What every feed and every agency's delivery is doing now. This screen follows the hub live.">
    <h2>Sources</h2>
    ${connectors.error ? html`<${ErrorBox} error=${connectors.error} />` : null}
    ${admin ? html`<${Reload} onDone=${() => void connectors.reload()} />` : null}
    ${connectors.data ? html`<${Connectors} connectors=${connectors.data} feeds=${o?.connectors} admin=${admin} onChanged=${() => void connectors.reload()} />` : connectors.error ? null : html`<${Loading} what="Checking the connectors" />`}
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
