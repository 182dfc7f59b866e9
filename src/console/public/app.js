// The console's shell: sign-in, the header and navigation for the caller's role, the live indicator,
// the session lock (after the hub's idle limit without a key press or a click, the screen is cleared
// and the person signs in again, as the hub refuses the session from then on), and the screen the
// URL's hash names. Every screen reads the HTTP API (lib/api.js) and nothing else.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './lib/html.js';
import { api, setCsrfToken, onSessionEnded, onLiveState, startLive, stopLive, ApiError } from './lib/api.js';
import { setZone, offsetOf } from './lib/time.js';
import { useRoute } from './lib/router.js';
import { ErrorBox, Loading } from './lib/ui.js';
import { SignIn } from './screens/sign-in.js';
import { Overview } from './screens/overview.js';
import { Transfers } from './screens/transfers.js';
import { TransferPage } from './screens/transfer.js';
import { Quarantine } from './screens/quarantine.js';
import { DeadLetters } from './screens/dead-letters.js';
import { Leads } from './screens/leads.js';
import { LeadPage } from './screens/lead.js';
import { Playground } from './screens/playground.js';
import { Queues } from './screens/queues.js';

/** Screens by first path segment, and the roles that may open them (the API enforces the same). */
const SCREENS = [
  { id: 'overview', label: 'Overview', roles: ['admin', 'analyst'], list: Overview },
  { id: 'transfers', label: 'Transfers', roles: ['admin', 'analyst'], list: Transfers, item: TransferPage },
  { id: 'quarantine', label: 'Quarantine', roles: ['admin', 'analyst'], list: Quarantine },
  { id: 'dead-letters', label: 'Dead letters', roles: ['admin', 'analyst'], list: DeadLetters },
  { id: 'leads', label: 'Leads', roles: ['admin', 'analyst', 'agency'], list: Leads, item: LeadPage },
  { id: 'playground', label: 'Mapping playground', roles: ['admin', 'analyst'], list: Playground },
  { id: 'queues', label: 'Queues', roles: ['admin'], list: Queues },
];

function LiveIndicator() {
  const [state, setState] = useState('off');
  useEffect(() => onLiveState(setState), []);
  const text = { live: 'Live', reconnecting: 'Reconnecting…', off: 'Not live' }[state];
  return html`<span class=${`live live-${state}`} role="status" aria-live="polite"><span class="dot" aria-hidden="true"></span>${text}</span>`;
}

function Shell({ me, onSignOut }) {
  const route = useRoute();
  const screens = SCREENS.filter((s) => s.roles.includes(me.role));
  const first = screens[0];
  const current = screens.find((s) => s.id === route.parts[0]) ?? (route.parts.length ? null : first);
  const Comp = current ? (route.parts.length > 1 && current.item ? current.item : current.list) : null;

  // A new screen: move focus to its heading, so keyboard and screen-reader users start there.
  useEffect(() => {
    const t = setTimeout(() => document.getElementById('screen-title')?.focus({ preventScroll: false }), 0);
    return () => clearTimeout(t);
  }, [route.path]);

  const person = me.name ?? me.keyId;
  const who = me.role === 'agency' ? `${person}, ${me.agencyName ?? me.ori}` : `${person} (${me.role})`;
  return html`
    <a class="skip" href="#main" onClick=${(e) => (e.preventDefault(), document.getElementById('screen-title')?.focus())}>Skip to content</a>
    <header class="top">
      <div class="brand"><span class="hub">${me.hub.name}</span> <span class="muted">console</span></div>
      <nav aria-label="Screens">
        <ul>
          ${screens.map((s) => html`<li><a href=${`#/${s.id}`} aria-current=${current?.id === s.id ? 'page' : undefined}>${s.label}</a></li>`)}
        </ul>
      </nav>
      <div class="who">
        <${LiveIndicator} />
        <span class="muted" title="Times are shown in the hub's time zone">${me.hub.timezone} (${offsetOf(new Date())})</span>
        <span>${who}</span>
        <button type="button" onClick=${onSignOut}>Sign out</button>
      </div>
    </header>
    <main id="main">
      ${Comp
        ? html`<${Comp} me=${me} route=${route} />`
        : screens.length
          ? html`<h1 id="screen-title" tabindex="-1">Nothing here</h1><p>There is no screen "${route.parts[0]}" for your role. <a href=${`#/${first.id}`}>Go to ${first.label}</a>.</p>`
          : html`<h1 id="screen-title" tabindex="-1">No screens for the ${me.role} role</h1><p>The audit trail is read with <code>cgic audit</code> or <code>GET /api/audit</code> (see /docs).</p>`}
    </main>`;
}

/** Minutes without a key press, click or touch after which the console locks (the hub's idle limit). */
function useIdleLock(active, minutes, onLock) {
  useEffect(() => {
    if (!active || !minutes) return undefined;
    let last = Date.now();
    const seen = () => (last = Date.now());
    const events = ['keydown', 'pointerdown', 'wheel', 'touchstart'];
    for (const e of events) window.addEventListener(e, seen, { passive: true });
    const t = setInterval(() => {
      if (Date.now() - last >= minutes * 60_000) onLock(minutes);
    }, 10_000);
    return () => {
      clearInterval(t);
      for (const e of events) window.removeEventListener(e, seen);
    };
  }, [active, minutes]);
}

function App() {
  const [me, setMe] = useState(undefined);
  const [error, setError] = useState(null);
  const [idleMinutes, setIdleMinutes] = useState(null);

  const ended = (e) => {
    stopLive();
    setCsrfToken(null);
    setMe(null);
    setError(e);
  };

  const load = async () => {
    try {
      const m = await api('/api/me');
      setZone(m.hub.timezone);
      setCsrfToken(m.csrfToken);
      setMe(m);
      setError(null);
      startLive();
      api('/console/auth/mode').then((x) => setIdleMinutes(x.idleMinutes), () => {});
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        // Not signed in (no session yet): the sign-in screen, with a message only if a session ended.
        setError(e.code === 'HUB_ERR_AUTH_REQUIRED' ? null : e);
        setMe(null);
      } else {
        setError(e);
        setMe(undefined);
      }
    }
  };
  useEffect(() => void load(), []);
  useEffect(() => onSessionEnded(ended), []);
  useIdleLock(Boolean(me), idleMinutes, (minutes) =>
    ended(new ApiError(401, 'HUB_ERR_AUTH_SESSION_ENDED', `Your console session ended: it was locked after ${minutes} minutes without activity`)),
  );

  const signOut = async () => {
    try {
      await api('/console/auth/sign-out', { method: 'POST' });
    } catch {
      // Already ended: signed out all the same.
    }
    ended(null);
    location.hash = '';
  };

  if (me === undefined) return error ? html`<main id="main"><h1 id="screen-title">The console cannot start</h1><${ErrorBox} error=${error} /><button type="button" onClick=${load}>Try again</button></main>` : html`<${Loading} what="Starting the console" />`;
  if (me === null) return html`<${SignIn} error=${error} onSignedIn=${() => (setError(null), load())} />`;
  return html`<${Shell} me=${me} onSignOut=${signOut} />`;
}

render(html`<${App} />`, document.getElementById('app'));
