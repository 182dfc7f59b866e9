// Sign-in. With the state's identity provider configured (hub.api.oidc), one button that goes there
// and comes back signed in; the provider checks the password and the second factor, the hub checks the
// role and agency it asserts. Without one (the demo, `npm start`), an API key: the hub opens a session
// for it and the key is not kept in the browser.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { ErrorBox, Loading } from '../lib/ui.js';

export function SignIn({ error, onSignedIn }) {
  const [mode, setMode] = useState(null);
  const [key, setKey] = useState('');
  const [refused, setRefused] = useState(null);
  useEffect(() => {
    api('/console/auth/mode').then(setMode, (e) => setRefused(e));
  }, []);
  const submit = async (e) => {
    e.preventDefault();
    if (!key.trim()) return;
    try {
      await api('/console/auth/key', { method: 'POST', body: { key: key.trim() } });
      setKey('');
      setRefused(null);
      onSignedIn();
    } catch (err) {
      setRefused(err);
    }
  };
  const shown = refused ?? error;
  const what = shown?.code === 'HUB_ERR_AUTH_SESSION_ENDED' ? 'You were signed out.' : mode?.mode === 'key' ? 'That key was not accepted.' : 'Sign-in did not work.';
  if (!mode && !refused) return html`<${Loading} what="Starting the console" />`;
  return html`<main id="main" class="sign-in">
    <h1 id="screen-title" tabindex="-1">Sign in to the cgic-hub console</h1>
    ${shown ? html`<${ErrorBox} error=${shown} what=${what} />` : null}
    ${mode?.mode === 'oidc'
      ? html`<p><a class="button primary" href=${`/console/auth/sign-in?return=${encodeURIComponent(location.hash)}`}>Sign in with ${mode.providerName}</a></p>
          <p class="muted">You sign in at ${mode.providerName} with your password and your second factor; what you see here depends on the role and agency it gives you. The session locks after ${mode.idleMinutes} minutes without activity.</p>`
      : mode?.mode === 'key'
        ? html`<form onSubmit=${submit}>
            <label for="api-key">API key</label>
            <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" required value=${key} onInput=${(e) => setKey(e.currentTarget.value)} aria-describedby="api-key-help" />
            <p id="api-key-help" class="muted">Demo mode: this hub has no identity provider configured (hub.api.oidc), so the console takes an API key (hub.api.keys). The hub keeps a session for it; the key itself is not kept in this browser. What you see depends on its role: an agency key shows that agency's leads. The session locks after ${mode.idleMinutes} minutes without activity.</p>
            <button type="submit" class="primary">Sign in</button>
          </form>`
        : null}
  </main>`;
}
