// Queues: Bull Board, for administrators. It opens with this browser's console session (the hub checks
// on each of its requests that the session is an administrator's and still open).
import { html } from '../lib/html.js';
import { useScreenTitle } from '../lib/hooks.js';
import { Screen } from '../lib/ui.js';

export function Queues() {
  useScreenTitle('Queues');
  return html`<${Screen} title="Queues" intro="Bull Board shows every BullMQ queue of the hub (transfers, leads, one delivery queue per destination) with its jobs. It is for administrators: retrying or removing jobs there bypasses the console's confirmations.">
    <p><button type="button" class="primary" onClick=${() => location.assign('/console/queues')}>Open Bull Board</button></p>
    <p class="muted">It opens with your console session, and closes when the session ends or locks.</p>
  </${Screen}>`;
}
