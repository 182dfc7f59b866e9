// Shared pieces of the screens: headings, errors that say what happened and what to do, empty states
// that say what to do, times in the hub's zone, status words (never color alone), pagers, charts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { formatTime, relative, hubZone } from './time.js';
import { href } from './router.js';

export function Screen({ title, intro, actions, children }) {
  return html`<section aria-labelledby="screen-title">
    <div class="screen-head">
      <h1 id="screen-title" tabindex="-1">${title}</h1>
      ${actions ? html`<div class="actions">${actions}</div>` : null}
    </div>
    ${intro ? html`<p class="intro">${intro}</p>` : null}
    ${children}
  </section>`;
}

// Fixes by code, read once from GET /api/error-codes.
let fixes = null;
function useFix(code) {
  const [fix, setFix] = useState(fixes?.get(code) ?? null);
  useEffect(() => {
    if (fixes || !code) return;
    api('/api/error-codes')
      .then((list) => {
        fixes = new Map(list.map((e) => [e.code, e.fix]));
        setFix(fixes.get(code) ?? null);
      })
      .catch(() => {});
  }, [code]);
  return fix;
}

/** What to do next after a refused or failed request, in the operator's terms. */
function adviceFor(error, fix) {
  switch (error.status) {
    case 0:
      return 'Check that the hub is running (npm start, or its service); this screen reads again on its own when it answers.';
    case 401:
      return error.code === 'HUB_ERR_AUTH_SESSION_ENDED'
        ? 'Sign in again. The hub ends a session that stays without activity (the CJIS session lock) and, in any case, some hours after sign-in.'
        : 'You are not signed in, or your key is not accepted (removed, expired or mistyped): sign in again.';
    case 403:
      return 'Your role may not see this. Ask an administrator if you need it.';
    case 404:
      return 'It may have been removed, or the address is wrong: go back to the list and pick it again.';
    case 429:
      return 'Too many requests from your key in a short time: wait a minute; the screen reads again on its own.';
    default:
      return fix ?? 'Try again in a moment; if it keeps failing, the hub log has the details under the request id.';
  }
}

export function ErrorBox({ error, what = 'The hub refused or could not answer this request.' }) {
  const fix = useFix(error?.code);
  if (!error) return null;
  return html`<div class="error" role="alert">
    <p><strong>${what}</strong></p>
    <p>What happened: ${error.message}${error.code ? html` <code>${error.code}</code>` : null}</p>
    <p>What to do: ${adviceFor(error, fix)}</p>
  </div>`;
}

export function Empty({ title, children }) {
  return html`<div class="empty"><p><strong>${title}</strong></p><div>${children}</div></div>`;
}

export function Loading({ what = 'Loading' }) {
  return html`<p class="loading" role="status">${what}…</p>`;
}

export function Time({ iso, rel = false }) {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime=${iso} title=${`${relative(iso)} (${hubZone()})`}>${formatTime(iso)}${rel ? html` <span class="muted">(${relative(iso)})</span>` : null}</time>`;
}

const STATUS_CLASS = {
  succeeded: 'ok', delivered: 'ok', ok: 'ok', live: 'ok', CONFIRMED_HIT: 'ok',
  running: 'busy', queued: 'busy', pending: 'busy', LEAD_UNCONFIRMED: 'busy',
  partial: 'warn', failing: 'warn', quiet: 'warn', failed: 'bad', dead: 'bad', down: 'bad', ELIMINATED: 'muted', WITHDRAWN: 'muted',
};

export function Status({ value, label }) {
  return html`<span class=${`status status-${STATUS_CLASS[value] ?? 'neutral'}`}>${label ?? value}</span>`;
}

/** "lims.csv row 12 (line 13) column MAKE", as the CLI and the logs write a pointer. */
export function pointerText(p) {
  if (!p) return '';
  const parts = [];
  if (p.file) parts.push(p.file);
  if (p.row !== undefined) parts.push(p.line !== undefined ? `row ${p.row} (line ${p.line})` : `row ${p.row}`);
  else if (p.line !== undefined) parts.push(`line ${p.line}`);
  if (p.column !== undefined) parts.push(`column ${p.column}`);
  if (p.xpath) parts.push(p.xpath);
  if (p.jsonPointer !== undefined) parts.push(`#${p.jsonPointer}`);
  return parts.join(' ');
}

export function Pointer({ p }) {
  const t = pointerText(p);
  return t ? html`<code class="pointer">${t}</code>` : html`<span class="muted">no pointer</span>`;
}

/** Previous / next for a `{ total, limit, offset }` page; `to(offset)` gives the link. */
export function Pager({ page, to, label }) {
  if (!page || page.total <= page.limit) return page ? html`<p class="muted">${page.total} ${label}</p>` : null;
  const from = page.total ? page.offset + 1 : 0;
  const upto = Math.min(page.offset + page.limit, page.total);
  const prev = page.offset > 0 ? Math.max(0, page.offset - page.limit) : null;
  const next = upto < page.total ? page.offset + page.limit : null;
  return html`<nav class="pager" aria-label=${`Pages of ${label}`}>
    ${prev !== null ? html`<a href=${to(prev)}>Previous</a>` : html`<span class="muted">Previous</span>`}
    <span>${from}–${upto} of ${page.total} ${label}</span>
    ${next !== null ? html`<a href=${to(next)}>Next</a>` : html`<span class="muted">Next</span>`}
  </nav>`;
}

/** Small bar chart as inline SVG; its numbers are also in a table for screen readers and copying. */
export function BarChart({ title, points, value, label, format = String, unit = '', summed = true }) {
  const w = 320;
  const hgt = 80;
  const vals = points.map(value).map((v) => (v === null || v === undefined ? 0 : v));
  const max = Math.max(1, ...vals);
  const bw = w / Math.max(1, points.length);
  const total = vals.reduce((a, b) => a + b, 0);
  const summary = `${title}: ${points.length} hours, highest ${format(max)}${unit}`;
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <svg viewBox=${`0 0 ${w} ${hgt + 16}`} role="img" aria-label=${summary} preserveAspectRatio="none">
      <line x1="0" y1=${hgt} x2=${w} y2=${hgt} class="axis" />
      ${vals.map((v, i) => {
        const bh = v ? Math.max(2, (v / max) * (hgt - 4)) : 0;
        return html`<rect x=${i * bw + 1} y=${hgt - bh} width=${Math.max(1, bw - 2)} height=${bh} class="bar"><title>${`${label(points[i])}: ${format(v)}${unit}`}</title></rect>`;
      })}
      <text x="0" y=${hgt + 13} class="tick">${points.length ? label(points[0]) : ''}</text>
      <text x=${w} y=${hgt + 13} class="tick" text-anchor="end">${points.length ? label(points[points.length - 1]) : ''}</text>
    </svg>
    <details class="chart-data"><summary>Numbers${summed ? ` (${total ? 'total ' + format(total) + unit : 'none yet'})` : ''}</summary>
      <table><thead><tr><th scope="col">Hour (${hubZone()})</th><th scope="col">${title}</th></tr></thead>
      <tbody>${points.map((p, i) => html`<tr><td>${label(p)}</td><td class="num">${format(vals[i])}${unit}</td></tr>`)}</tbody></table>
    </details>
  </figure>`;
}

/** A confirmation dialog (native <dialog>: focus is kept inside, Escape cancels). */
export function Confirm({ open, title, children, confirmLabel, onConfirm, onCancel }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return html`<dialog ref=${ref} aria-labelledby="confirm-title" onCancel=${(e) => (e.preventDefault(), onCancel())}>
    <h2 id="confirm-title">${title}</h2>
    <div>${children}</div>
    <div class="actions">
      <button type="button" class="primary" onClick=${onConfirm}>${confirmLabel}</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </dialog>`;
}

export function Link({ to, query, children, ...rest }) {
  return html`<a href=${href(to, query)} ...${rest}>${children}</a>`;
}

export const num = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));
