// Sign-in with an API key until people sign in through the state's identity provider. The key stays
// in this tab only (sessionStorage) and goes to the hub as `Authorization: Bearer` on each request.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { credentials } from '../lib/api.js';
import { ErrorBox } from '../lib/ui.js';

export function SignIn({ error, onSignedIn }) {
  const [key, setKey] = useState('');
  const submit = (e) => {
    e.preventDefault();
    if (!key.trim()) return;
    credentials.set(key.trim());
    onSignedIn();
  };
  return html`<main id="main" class="sign-in">
    <h1 id="screen-title" tabindex="-1">Sign in to the cgic-hub console</h1>
    ${error ? html`<${ErrorBox} error=${error} what="That key was not accepted." />` : null}
    <form onSubmit=${submit}>
      <label for="api-key">API key</label>
      <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" required value=${key} onInput=${(e) => setKey(e.currentTarget.value)} aria-describedby="api-key-help" />
      <p id="api-key-help" class="muted">The key your administrator gave you (hub.api.keys). It is kept in this browser tab only and forgotten when the tab closes. What you see depends on its role: an agency key shows that agency's leads.</p>
      <button type="submit" class="primary">Sign in</button>
    </form>
  </main>`;
}
