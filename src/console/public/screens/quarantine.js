// Quarantine: each source record that could not be mapped, with its code, message, the fix for the
// code, its pointer (file:row:column, XPath or JSON pointer) and, for the roles the API gives it to,
// the raw row. Filter by connector, code, file or transfer. An administrator can send a corrected
// file to the connector it came from. Live: re-read when the quarantine changes.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { withQuery } from '../lib/api.js';
import { href, go } from '../lib/router.js';
import { Screen, ErrorBox, Loading, Empty, Time, Pointer, Pager, Link, num } from '../lib/ui.js';
import { Rerun } from './rerun.js';

const PAGE = 50;

function useFixes() {
  const codes = useApi('/api/error-codes');
  return new Map((codes.data ?? []).map((c) => [c.code, c.fix]));
}

export function Quarantine({ me, route }) {
  useScreenTitle('Quarantine');
  const q = route.query;
  const offset = Number(q.offset ?? 0);
  const list = useApi(withQuery('/api/quarantine', { connector: q.connector, code: q.code, file: q.file, transfer: q.transfer, limit: PAGE, offset }), { topics: ['quarantine'] });
  const connectors = useApi('/api/connectors');
  const fixes = useFixes();
  const [draft, setDraft] = useState({ code: q.code ?? '', file: q.file ?? '' });
  const apply = (e) => {
    e.preventDefault();
    go('/quarantine', { ...q, code: draft.code.trim(), file: draft.file.trim(), offset: undefined });
  };
  const filtered = q.connector || q.code || q.file || q.transfer;
  const page = list.data;
  return html`<${Screen} title="Quarantine" intro="Source records that could not be mapped. Nothing is lost: each is kept here with what was wrong and where it is in its file.">
    <form class="filters" onSubmit=${apply} aria-label="Filter the quarantine">
      <label>Connector <select value=${q.connector ?? ''} onChange=${(e) => go('/quarantine', { ...q, connector: e.currentTarget.value, offset: undefined })}>
        <option value="">All connectors</option>${(connectors.data ?? []).map((c) => html`<option value=${c.id}>${c.id}</option>`)}
      </select></label>
      <label>Code <input value=${draft.code} onInput=${(e) => setDraft({ ...draft, code: e.currentTarget.value })} placeholder="HUB_ERR_RECORD_DATE" size="24" /></label>
      <label>File <input value=${draft.file} onInput=${(e) => setDraft({ ...draft, file: e.currentTarget.value })} placeholder="lims-0315.csv" size="20" /></label>
      <button type="submit">Filter</button>
      ${q.transfer ? html`<span>Transfer <${Link} to=${`/transfers/${q.transfer}`}><code>${q.transfer.slice(0, 8)}</code></${Link}></span>` : null}
      ${filtered ? html`<a href=${href('/quarantine')}>Clear the filters</a>` : null}
    </form>
    ${list.error ? html`<${ErrorBox} error=${list.error} />` : null}
    ${!page ? (list.error ? null : html`<${Loading} />`) : page.items.length === 0
      ? html`<${Empty} title=${filtered ? 'No quarantined row matches these filters.' : 'The quarantine is empty.'}>
          ${filtered ? html`<a href=${href('/quarantine')}>Clear the filters</a> to see every quarantined row.` : 'Every source record read so far was mapped. Rows that cannot be mapped (an impossible date, a missing key) appear here with their file, row and column.'}
        </${Empty}>`
      : html`<ol class="cards" start=${offset + 1}>${page.items.map((r) => html`<li class="card">
          <div class="card-head"><code class="code">${r.code}</code> <${Pointer} p=${r.pointer} /></div>
          <p>${r.message}</p>
          ${fixes.get(r.code) ? html`<p class="hint"><strong>How to fix:</strong> ${fixes.get(r.code)}</p>` : null}
          <p class="muted">
            ${r.connectorId ? html`connector ${r.connectorId} · ` : null}
            ${r.transferId ? html`<${Link} to=${`/transfers/${r.transferId}`}>transfer ${r.transferId.slice(0, 8)}</${Link}> · ` : null}
            <${Time} iso=${r.createdAt} />${r.count > 1 ? html` · seen ${num(r.count)} times` : null}
          </p>
          ${r.payload !== undefined && r.payload !== null
            ? html`<details><summary>Raw row</summary><pre class="raw">${typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload, null, 2)}</pre></details>`
            : null}
          ${me.role === 'admin' && r.connectorId ? html`<${Rerun} connectorId=${r.connectorId} fileName=${r.pointer?.file} />` : null}
        </li>`)}</ol>
        <${Pager} page=${page} label="quarantined rows" to=${(o) => href('/quarantine', { ...q, offset: o || undefined })} />`}
  </${Screen}>`;
}
