// Queues: Bull Board, for administrators. The console first asks the hub for a pass (a cookie scoped
// to /console/queues, tied to this administrator's key), then opens Bull Board.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useScreenTitle } from '../lib/hooks.js';
import { Screen, ErrorBox } from '../lib/ui.js';

export function Queues() {
  useScreenTitle('Queues');
  const [error, setError] = useState(null);
  const open = async () => {
    setError(null);
    try {
      await api('/api/console/queues-pass', { method: 'POST' });
      location.assign('/console/queues');
    } catch (e) {
      setError(e);
    }
  };
  return html`<${Screen} title="Queues" intro="Bull Board shows every BullMQ queue of the hub (transfers, leads, one delivery queue per destination) with its jobs. It is for administrators: retrying or removing jobs there bypasses the console's confirmations.">
    <p><button type="button" class="primary" onClick=${open}>Open Bull Board</button></p>
    <p class="muted">The pass lasts 8 hours in this browser and ends when your key is removed or expires.</p>
    ${error ? html`<${ErrorBox} error=${error} what="Bull Board could not be opened." />` : null}
  </${Screen}>`;
}
