// Re-run a corrected file: an administrator picks the corrected export (the whole file, or only the
// corrected rows under the same header) and the hub writes it into the drop folder of the connector
// the bad row came from (POST /api/connectors/:id/files), under the file's own name; the connector's
// next run reads it as a new transfer. Only directory connectors take files (a drop folder); the hub
// says so when one does not, and when a file of that name is already waiting there.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { ErrorBox, Link, Time } from '../lib/ui.js';

async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function Rerun({ connectorId, fileName }) {
  const [state, setState] = useState({ busy: false, error: null, done: null });
  const [open, setOpen] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const file = e.currentTarget.elements.namedItem('corrected').files[0];
    if (!file) return;
    setState({ busy: true, error: null, done: null });
    try {
      const r = await api(`/api/connectors/${encodeURIComponent(connectorId)}/files`, { method: 'POST', body: { name: file.name, content: await base64Of(file) } });
      setState({ busy: false, error: null, done: r });
    } catch (error) {
      setState({ busy: false, error, done: null });
    }
  };
  if (!open) return html`<button type="button" onClick=${() => setOpen(true)}>Re-run a corrected file…</button>`;
  return html`<form class="rerun" onSubmit=${submit}>
    <label>Corrected file for ${connectorId}${fileName ? html` (in place of <code>${fileName}</code>)` : null}
      <input type="file" name="corrected" required /></label>
    <button type="submit" class="primary" disabled=${state.busy}>${state.busy ? 'Sending…' : 'Send to the connector'}</button>
    <button type="button" onClick=${() => setOpen(false)}>Cancel</button>
    ${state.error ? html`<${ErrorBox} error=${state.error} what="The corrected file was not taken." />` : null}
    ${state.done ? html`<p role="status" class="notice">Taken as <code>${state.done.file}</code>: ${state.done.transferId
      ? html`<${Link} to=${`/transfers/${state.done.transferId}`}>its transfer</${Link}>`
      : state.done.nextRun
        ? html`it is read at the connector\u2019s next run (<${Time} iso=${state.done.nextRun} />)`
        : 'it is read at the connector\u2019s next run: the connector has no schedule running, use Run now on the Overview'}.</p>` : null}
  </form>`;
}
