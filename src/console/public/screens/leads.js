// Leads: for analysts every lead (latest version, complete or waiting for records); for an agency
// the leads it is part of, as its own packages show them (the API scopes them). Live: a new lead or
// version appears without a reload.
import { html } from '../lib/html.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { withQuery } from '../lib/api.js';
import { href } from '../lib/router.js';
import { Screen, ErrorBox, Loading, Empty, Time, Status, Pager, Link } from '../lib/ui.js';

const PAGE = 50;

export function Leads({ me, route }) {
  useScreenTitle('Leads');
  const offset = Number(route.query.offset ?? 0);
  const list = useApi(withQuery('/api/leads', { limit: PAGE, offset }), { topics: ['leads'] });
  const agency = me.role === 'agency';
  const page = list.data;
  return html`<${Screen} title="NIBIN leads" intro=${agency ? `The leads ${me.agencyName ?? me.ori} is part of, as your packages show them: your own cases in full, other agencies' as the sharing rules allow. New versions appear here as they are sent.` : 'Every NIBIN lead the hub holds, its latest version first by lead id. New versions appear as they are published.'}>
    ${list.error ? html`<${ErrorBox} error=${list.error} />` : null}
    ${!page ? (list.error ? null : html`<${Loading} />`) : page.items.length === 0
      ? html`<${Empty} title="No leads yet.">${agency ? 'When the lab declares a NIBIN lead that links one of your cases, it appears here and in your RMS.' : 'Leads arrive from the NIBIN lead notices connector (demo: cp fixtures/scenario/nibin-notice.ndjson demo/inbox/nibin/).'}</${Empty}>`
      : html`<div class="table-wrap"><table>
          <caption>Leads</caption>
          <thead><tr><th scope="col">Lead</th><th scope="col">Version</th><th scope="col">Status</th>${agency ? null : html`<th scope="col">Records</th>`}<th scope="col">Why this version</th><th scope="col">Updated</th></tr></thead>
          <tbody>${page.items.map((l) => html`<tr>
            <th scope="row"><${Link} to=${`/leads/${encodeURIComponent(l.leadId)}`}>${l.leadId}</${Link}></th>
            <td class="num" data-lead-version=${l.leadId}>${l.version}</td>
            <td><${Status} value=${l.status} /></td>
            ${agency ? null : html`<td>${l.complete === false ? html`<${Status} value="pending" label="some missing" />` : html`<${Status} value="ok" label="complete" />`}</td>`}
            <td class="wrap">${l.reason ?? '—'}</td>
            <td><${Time} iso=${l.updatedAt} /></td>
          </tr>`)}</tbody>
        </table></div>
        <${Pager} page=${page} label="leads" to=${(o) => href('/leads', { offset: o || undefined })} />`}
  </${Screen}>`;
}
