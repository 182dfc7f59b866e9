// Mapping playground: a shipped mapping, or YAML pasted by its author, run on a sample file. Shows
// what `cgic map` gives (the hub runs the same code): records, bad rows with their pointers, unknown
// codes, the summary, or the mapping's problems at line and column. Nothing is stored.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useApi, useScreenTitle } from '../lib/hooks.js';
import { Screen, ErrorBox, Loading, Empty, Pointer, num } from '../lib/ui.js';

async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function Result({ r }) {
  const s = r.summary;
  const unknown = Object.entries(s?.unknownCodes ?? {});
  return html`<section aria-labelledby="result-title" class="result">
    <h2 id="result-title" tabindex="-1">Result${r.mapping ? html` of ${r.mapping.label}` : null} on ${r.sample.name}</h2>
    ${r.sample.cut ? html`<p class="notice" role="status">The sample is ${num(r.sample.bytes)} bytes: only its first ${num(r.sample.bytesMapped)} bytes (up to ${num(r.sample.limitBytes / 1024)} KiB, ending on a whole line) were mapped. Run <code>cgic map</code> on the whole file.</p>` : null}
    ${r.problems.length
      ? html`<div class="error" role="alert"><p><strong>The mapping does not load: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}.</strong> Fix each at its line and column, then run again.</p>
          <ul class="problems">${r.problems.map((p) => html`<li><code class="pointer">line ${p.line}, column ${p.col}</code>${p.pointer ? html` <code>${p.pointer}</code>` : null} <code>${p.code}</code> ${p.message}${p.hint ? html`<div class="hint">hint: ${p.hint}</div>` : null}</li>`)}</ul></div>`
      : null}
    ${r.failure ? html`<div class="error" role="alert"><p><strong>The run stopped:</strong> <code>${r.failure.code}</code> ${r.failure.message}</p>${r.failure.pointer ? html`<p>At <${Pointer} p=${r.failure.pointer} /></p>` : null}</div>` : null}
    ${s ? html`<p class="summary-line"><strong>${num(s.rowsRead)}</strong> rows read: <strong>${num(s.rowsMapped)}</strong> mapped, <strong>${num(s.rowsInvalid)}</strong> invalid; <strong>${num(s.recordsOut)}</strong> records${s.warnings ? html`; ${num(s.warnings)} warnings` : null}.</p>` : null}
    ${r.invalid.length
      ? html`<h3>Bad rows</h3><ul class="bad-rows">${r.invalid.map((b) => html`<li>${b.errors.map((e) => html`<div><${Pointer} p=${e.pointer ?? b.pointer} /> <code>${e.code}</code> ${e.message}</div>`)}</li>`)}</ul>
          ${s && s.rowsInvalid > r.invalid.length ? html`<p class="muted">The first ${r.invalid.length} of ${num(s.rowsInvalid)} bad rows.</p>` : null}`
      : s ? html`<p>No bad rows.</p>` : null}
    ${unknown.length ? html`<h3>Unknown codes</h3><ul>${unknown.map(([t, vals]) => html`<li><strong>${t}</strong>: ${Object.entries(vals).sort((a, b) => b[1] - a[1]).map(([v, n]) => html`<span class="chip">"${v}" ×${n}</span> `)}</li>`)}</ul>` : null}
    ${r.warnings.length ? html`<h3>Warnings</h3><ul>${r.warnings.map((w) => html`<li>${w.line}</li>`)}</ul>` : null}
    <h3>What <code>cgic map</code> prints</h3>
    <pre class="cli" aria-label="cgic map output">${r.lines.join('\n')}</pre>
    ${r.records.length
      ? html`<h3>Records (${r.recordsShown < (s?.recordsOut ?? 0) ? `the first ${r.recordsShown} of ${num(s.recordsOut)}` : num(r.recordsShown)})</h3>
          <div class="table-wrap"><table><thead><tr><th scope="col">Row</th><th scope="col">Type</th><th scope="col">Key</th><th scope="col">Record</th></tr></thead>
          <tbody>${r.records.map((rec) => html`<tr><td class="num">${rec.sourceRefs?.[0]?.pointer?.row ?? ''}</td><td>${rec.type}</td><td><code>${rec.key}</code></td><td><details><summary>JSON</summary><pre>${JSON.stringify(rec, null, 2)}</pre></details></td></tr>`)}</tbody></table></div>`
      : null}
  </section>`;
}

export function Playground() {
  useScreenTitle('Mapping playground');
  const shipped = useApi('/api/playground/mappings');
  const [mode, setMode] = useState('shipped');
  const [mappingId, setMappingId] = useState('');
  const [yaml, setYaml] = useState('');
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const [dragging, setDragging] = useState(false);
  const list = shipped.data ?? [];
  const chosen = mappingId || list[0]?.id || '';

  const run = async (e) => {
    e.preventDefault();
    if (!file) return setError({ status: 400, code: null, message: 'Choose a sample file first (or drop one on the file field).' });
    setBusy(true);
    setError(null);
    try {
      const body = { sample: await base64Of(file), sampleName: file.name, ...(mode === 'shipped' ? { mapping: chosen } : { yaml }) };
      setResult(await api('/api/playground/map', { method: 'POST', body }));
      setTimeout(() => document.getElementById('result-title')?.focus(), 0);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const drop = (e) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer?.files?.[0];
    if (f) setFile(f);
  };

  return html`<${Screen} title="Mapping playground" intro="Try a mapping on a sample export before a connector uses it. The hub maps the sample exactly as cgic map does and stores nothing.">
    <form class="playground" onSubmit=${run}>
      <fieldset>
        <legend>Mapping</legend>
        <label><input type="radio" name="mode" value="shipped" checked=${mode === 'shipped'} onChange=${() => setMode('shipped')} /> A shipped mapping</label>
        <label><input type="radio" name="mode" value="yaml" checked=${mode === 'yaml'} onChange=${() => setMode('yaml')} /> My YAML</label>
        ${mode === 'shipped'
          ? html`<div class="row">
              <label for="pg-mapping">Shipped mapping</label>
              ${shipped.error ? html`<${ErrorBox} error=${shipped.error} />` : !shipped.data ? html`<${Loading} />` : html`<select id="pg-mapping" value=${chosen} onChange=${(e) => setMappingId(e.currentTarget.value)}>
                ${list.map((m) => html`<option value=${m.id}>${m.label} (${m.format})</option>`)}
              </select>`}
              <button type="button" onClick=${() => (setYaml(list.find((m) => m.id === chosen)?.yaml ?? ''), setMode('yaml'))}>Copy into the editor</button>
              <p class="muted">${list.find((m) => m.id === chosen)?.description ?? ''}</p>
            </div>`
          : html`<div class="row"><label for="pg-yaml">Mapping YAML</label>
              <textarea id="pg-yaml" rows="16" spellcheck="false" value=${yaml} onInput=${(e) => setYaml(e.currentTarget.value)} aria-describedby="pg-yaml-help"></textarea>
              <p id="pg-yaml-help" class="muted">Paste a mapping (docs/mapping-language.md). Problems are shown at their line and column.</p></div>`}
      </fieldset>
      <fieldset>
        <legend>Sample file</legend>
        <label for="pg-sample" class=${`drop${dragging ? ' dragging' : ''}`} onDragOver=${(e) => (e.preventDefault(), setDragging(true))} onDragLeave=${() => setDragging(false)} onDrop=${drop}>
          ${file ? html`<span><strong>${file.name}</strong> (${num(file.size)} bytes)</span>` : html`<span>Drop a sample here, or choose one</span>`}
        </label>
        <input id="pg-sample" type="file" onChange=${(e) => setFile(e.currentTarget.files[0] ?? null)} />
        <p class="muted">Only the first 512 KiB of a sample is mapped (ending on a whole line). The file stays in your browser and the hub's memory for this one run.</p>
      </fieldset>
      <button type="submit" class="primary" disabled=${busy}>${busy ? 'Mapping…' : 'Map the sample'}</button>
    </form>
    ${error ? html`<${ErrorBox} error=${error} what="The sample was not mapped." />` : null}
    ${result ? html`<${Result} r=${result} />` : !error ? html`<${Empty} title="No result yet.">Pick a mapping, choose a sample export, and press "Map the sample".</${Empty}>` : null}
  </${Screen}>`;
}
