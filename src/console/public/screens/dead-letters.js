// Dead letters: deliveries that failed every attempt, each with the history of its attempts; an
// administrator replays one or many after confirming. Live: re-read when dead letters change.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { api, withQuery } from '../lib/api.js';
import { href, go } from '../lib/router.js';
import { Screen, ErrorBox, Loading, Empty, Time, Pager, Confirm, Status, num } from '../lib/ui.js';

const PAGE = 50;

export function DeadLetters({ me, route }) {
  useScreenTitle('Dead letters');
  const q = route.query;
  const offset = Number(q.offset ?? 0);
  const pending = q.all ? undefined : true;
  const list = useApi(withQuery('/api/dead-letters', { destination: q.destination, pending, limit: PAGE, offset }), { topics: ['deadLetters'] });
  const destinations = useApi('/api/destinations');
  const [selected, setSelected] = useState(new Set());
  const [asking, setAsking] = useState(null);
  const [result, setResult] = useState(null);
  const admin = me.role === 'admin';
  const page = list.data;
  const replayable = (page?.items ?? []).filter((d) => !d.replayedAt);

  const toggle = (id) => {
    const s = new Set(selected);
    s.has(id) ? s.delete(id) : s.add(id);
    setSelected(s);
  };
  const replay = async (ids) => {
    setAsking(null);
    const done = [];
    const failed = [];
    for (const id of ids) {
      try {
        await api(`/api/dead-letters/${encodeURIComponent(id)}/replay`, { method: 'POST' });
        done.push(id);
      } catch (e) {
        failed.push({ id, e });
      }
    }
    setSelected(new Set());
    setResult({ done, failed });
    void list.reload();
  };

  return html`<${Screen} title="Dead letters" intro="Deliveries that failed every attempt. Fix the cause (the agency's endpoint, share or server), then replay: each is delivered again once, with the same delivery id, so nothing arrives twice.">
    <form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Filter dead letters">
      <label>Destination <select value=${q.destination ?? ''} onChange=${(e) => go('/dead-letters', { ...q, destination: e.currentTarget.value, offset: undefined })}>
        <option value="">All destinations</option>${(destinations.data ?? []).map((d) => html`<option value=${d.id}>${d.id}</option>`)}
      </select></label>
      <label><input type="checkbox" checked=${Boolean(q.all)} onChange=${(e) => go('/dead-letters', { ...q, all: e.currentTarget.checked ? '1' : undefined, offset: undefined })} /> Show replayed ones too</label>
      ${admin && replayable.length ? html`<button type="button" class="primary" disabled=${!selected.size} onClick=${() => setAsking([...selected])}>Replay selected (${selected.size})</button>` : null}
    </form>
    ${result ? html`<div class=${result.failed.length ? 'error' : 'notice'} role="status">
      <p>${result.done.length} dead letter${result.done.length === 1 ? '' : 's'} queued for delivery again.${result.failed.length ? ` ${result.failed.length} could not be replayed:` : ''}</p>
      ${result.failed.length ? html`<ul>${result.failed.map((f) => html`<li><code>${f.id.slice(0, 8)}</code>: ${f.e.message}</li>`)}</ul>` : null}
    </div>` : null}
    ${list.error ? html`<${ErrorBox} error=${list.error} />` : null}
    ${!page ? (list.error ? null : html`<${Loading} />`) : page.items.length === 0
      ? html`<${Empty} title=${q.all ? 'No dead letters.' : 'No dead letters waiting.'}>Every delivery so far reached its destination or is still being retried. A delivery that fails all its attempts (hub.delivery.attempts) appears here with each attempt's error.${q.all ? '' : html` <a href=${href('/dead-letters', { ...q, all: '1' })}>Show replayed ones</a>.`}</${Empty}>`
      : html`<ol class="cards">${page.items.map((d) => html`<li class="card">
          <div class="card-head">
            ${admin && !d.replayedAt ? html`<input type="checkbox" id=${`dl-${d.id}`} checked=${selected.has(d.id)} onChange=${() => toggle(d.id)} aria-label=${`Select dead letter ${d.id.slice(0, 8)} to ${d.destinationId}`} />` : null}
            <label for=${`dl-${d.id}`}><strong>${d.destinationId ?? d.queue}</strong> <code>${d.id.slice(0, 8)}</code></label>
            ${d.replayedAt ? html`<${Status} value="ok" label="replayed" /> <${Time} iso=${d.replayedAt} />` : html`<${Status} value="dead" label="not delivered" />`}
          </div>
          <p>Last error: ${d.lastError ?? '—'}</p>
          <p class="muted">Failed for good at <${Time} iso=${d.createdAt} />${d.payload?.packageRef ? html` · ${d.payload.packageRef}` : null}</p>
          <details><summary>${num(d.attempts.length)} attempt${d.attempts.length === 1 ? '' : 's'}</summary>
            <table><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Status</th><th scope="col">Error</th></tr></thead>
            <tbody>${d.attempts.map((a, i) => html`<tr><td>${i + 1}</td><td><${Time} iso=${a.at} /></td><td>${a.status ?? '—'}</td><td class="wrap">${a.error}</td></tr>`)}</tbody></table>
          </details>
          ${admin && !d.replayedAt ? html`<button type="button" onClick=${() => setAsking([d.id])}>Replay…</button>` : null}
        </li>`)}</ol>
        <${Pager} page=${page} label="dead letters" to=${(o) => href('/dead-letters', { ...q, offset: o || undefined })} />`}
    <${Confirm} open=${Boolean(asking)} title=${`Replay ${asking?.length ?? 0} dead letter${asking?.length === 1 ? '' : 's'}?`} confirmLabel="Replay" onConfirm=${() => replay(asking)} onCancel=${() => setAsking(null)}>
      <p>Each is delivered again, once, to its destination with its original delivery id. Replay only after the cause is fixed, or it comes back here after its attempts.</p>
    </${Confirm}>
  </${Screen}>`;
}
