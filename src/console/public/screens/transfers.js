// Transfers: one run of one source connector each (a file, a poll that found data, a webhook body),
// newest first, filtered by connector, status and period, 50 a page. Polls that found nothing are
// not transfers. Live: re-read when transfers change.
import { html } from '../lib/html.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { withQuery } from '../lib/api.js';
import { href, go } from '../lib/router.js';
import { Screen, ErrorBox, Loading, Empty, Time, Status, Pager, Link, num } from '../lib/ui.js';
import { duration } from '../lib/time.js';

const PAGE = 50;
const PERIODS = { '': 'Any time', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' };
const PERIOD_MS = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
const STATUSES = ['queued', 'running', 'succeeded', 'partial', 'failed'];
// A busy hub changes its transfers many times a second: the list follows them every 5 s at most, as the
// overview does (a transfer's own page follows its progress every 2 s).
const LIVE = { topics: ['transfers'], minMs: 5000 };

export function Transfers({ route }) {
  useScreenTitle('Transfers');
  const q = route.query;
  const offset = Number(q.offset ?? 0);
  // The period is rounded to the minute so that the live re-reads ask the same question.
  const since = q.period && PERIOD_MS[q.period] ? new Date(Math.floor((Date.now() - PERIOD_MS[q.period]) / 60000) * 60000).toISOString() : undefined;
  const list = useApi(withQuery('/api/transfers', { connector: q.connector, status: q.status, since, limit: PAGE, offset }), LIVE);
  const connectors = useApi('/api/connectors');
  const set = (k, v) => go('/transfers', { ...q, [k]: v, offset: undefined });
  const page = list.data;
  return html`<${Screen} title="Transfers" intro="Each run of a source connector that read something: a file, a poll that found data, a webhook body.">
    <form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Filter transfers">
      <label>Connector <select value=${q.connector ?? ''} onChange=${(e) => set('connector', e.currentTarget.value)}>
        <option value="">All connectors</option>
        ${(connectors.data ?? []).map((c) => html`<option value=${c.id}>${c.id}</option>`)}
      </select></label>
      <label>Status <select value=${q.status ?? ''} onChange=${(e) => set('status', e.currentTarget.value)}>
        <option value="">Any status</option>${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
      <label>Period <select value=${q.period ?? ''} onChange=${(e) => set('period', e.currentTarget.value)}>
        ${Object.entries(PERIODS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
      </select></label>
    </form>
    ${list.error ? html`<${ErrorBox} error=${list.error} />` : null}
    ${!page ? (list.error ? null : html`<${Loading} />`) : page.items.length === 0
      ? html`<${Empty} title=${q.connector || q.status || q.period ? 'No transfer matches these filters.' : 'No transfers yet.'}>
          ${q.connector || q.status || q.period ? html`<a href=${href('/transfers')}>Clear the filters</a>, or widen the period.` : html`A transfer starts when a file lands in a connector's folder, a scheduled poll finds data, or a webhook arrives. To try it: <code>cp fixtures/scenario/lims.csv demo/inbox/lims/</code>, or <code>cgic run &lt;connector&gt;</code>.`}
        </${Empty}>`
      : html`<div class="table-wrap"><table>
          <caption>Transfers, newest first</caption>
          <thead><tr><th scope="col">Transfer</th><th scope="col">Connector</th><th scope="col">Source</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col" class="num">Read</th><th scope="col" class="num">Invalid</th><th scope="col" class="num">Stored</th><th scope="col" class="num">Delivered</th></tr></thead>
          <tbody>${page.items.map((t) => html`<tr>
            <th scope="row"><${Link} to=${`/transfers/${t.id}`}><code>${t.id.slice(0, 8)}</code></${Link}></th>
            <td>${t.connectorId}</td>
            <td class="wrap">${t.source ?? html`<span class="muted">—</span>`} <span class="muted">${t.trigger}</span></td>
            <td><${Status} value=${t.status} /></td>
            <td><${Time} iso=${t.startedAt ?? t.createdAt} /></td>
            <td>${t.finishedAt && t.startedAt ? duration((Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000) : html`<span class="muted">—</span>`}</td>
            <td class="num">${num(t.counts.read)}</td>
            <td class="num">${t.counts.invalid ? html`<${Link} to="/quarantine" query=${{ transfer: t.id }}>${num(t.counts.invalid)}</${Link}>` : '0'}</td>
            <td class="num">${num(t.counts.stored)}</td>
            <td class="num">${num(t.counts.delivered)}</td>
          </tr>`)}</tbody>
        </table></div>
        <${Pager} page=${page} label="transfers" to=${(o) => href('/transfers', { ...q, offset: o || undefined })} />`}
  </${Screen}>`;
}
