// One transfer: its counts (moving while it runs), its error, and its quarantined rows with their
// pointers. Live: re-read when transfers or the quarantine change.
import { html } from '../lib/html.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { Screen, ErrorBox, Loading, Time, Status, Pointer, Link, num } from '../lib/ui.js';
import { duration } from '../lib/time.js';

const COUNTS = [
  ['read', 'Source records read'],
  ['mapped', 'Mapped'],
  ['invalid', 'Invalid (quarantined)'],
  ['damaged', 'Mapped with encoding damage (stored as read)'],
  ['stored', 'Records stored'],
  ['changed', 'Changed'],
  ['unchanged', 'Unchanged'],
  ['delivered', 'Delivered'],
  ['failed', 'Failed deliveries'],
];

export function TransferPage({ route }) {
  const id = route.parts[1];
  useScreenTitle(`Transfer ${id.slice(0, 8)}`);
  const t = useApi(`/api/transfers/${encodeURIComponent(id)}`, { topics: ['transfers'] });
  const q = useApi(`/api/quarantine?transfer=${encodeURIComponent(id)}&limit=20`, { topics: ['quarantine'] });
  const d = t.data;
  const running = d && (d.status === 'running' || d.status === 'queued');
  return html`<${Screen} title=${`Transfer ${id.slice(0, 8)}`} actions=${html`<${Link} to="/transfers">All transfers</${Link}>`}>
    ${t.error ? html`<${ErrorBox} error=${t.error} />` : null}
    ${!d ? (t.error ? null : html`<${Loading} />`) : html`
      <dl class="facts">
        <div><dt>Transfer id</dt><dd><code>${d.id}</code></dd></div>
        <div><dt>Connector</dt><dd><${Link} to="/transfers" query=${{ connector: d.connectorId }}>${d.connectorId}</${Link}></dd></div>
        <div><dt>Source</dt><dd>${d.source ?? '—'} <span class="muted">(${d.trigger})</span></dd></div>
        <div><dt>Status</dt><dd><${Status} value=${d.status} />${running ? html` <span class="muted" role="status">in progress: the counts move as it runs</span>` : null}</dd></div>
        <div><dt>Queued</dt><dd><${Time} iso=${d.createdAt} /></dd></div>
        <div><dt>Started</dt><dd><${Time} iso=${d.startedAt} /></dd></div>
        <div><dt>Finished</dt><dd><${Time} iso=${d.finishedAt} />${d.finishedAt && d.startedAt ? html` <span class="muted">(${duration((Date.parse(d.finishedAt) - Date.parse(d.startedAt)) / 1000)})</span>` : null}</dd></div>
      </dl>
      ${d.error ? html`<div class="error" role="alert"><p><strong>The transfer stopped on an error.</strong></p><p>${d.error}</p><p>What to do: fix the cause the message names, then run the connector again (<code>cgic run ${d.connectorId}</code>); what was committed before the error is kept.</p></div>` : null}
      <h2>Counts</h2>
      <table class="counts" aria-describedby="counts-note">
        <tbody>${COUNTS.map(([k, label]) => html`<tr><th scope="row">${label}</th><td class="num" data-count=${k}>${num(d.counts[k])}</td></tr>`)}</tbody>
      </table>
      <p id="counts-note" class="muted">Every source record read is either mapped or invalid: read ${num(d.counts.read)} = mapped ${num(d.counts.mapped)} + invalid ${num(d.counts.invalid)}.</p>
    `}
    <h2>Quarantined rows</h2>
    ${q.error ? html`<${ErrorBox} error=${q.error} />` : null}
    ${q.data
      ? q.data.items.length
        ? html`<ul class="rows">${q.data.items.map((r) => html`<li><${Pointer} p=${r.pointer} /> <code>${r.code}</code> ${r.message}</li>`)}</ul>
            <p><${Link} to="/quarantine" query=${{ transfer: id }}>All ${num(q.data.total)} quarantined rows of this transfer, with hints and raw rows</${Link}></p>`
        : html`<p class="muted">None: every row read was mapped.</p>`
      : q.error ? null : html`<${Loading} />`}
  </${Screen}>`;
}
