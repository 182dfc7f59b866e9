// The console's only way to data: the hub's HTTP API, as the signed-in person. Signing in (through
// the identity provider, or with an API key in demo mode) gives this browser a session cookie
// (HttpOnly: scripts never see it); a request that changes something also carries the session's CSRF
// token (X-CSRF-Token, from GET /api/me). Reads the console makes on its own (live refreshes) say so
// (X-Cgic-Background), so they do not keep an idle session from locking.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrfToken = null;
/** The session's CSRF token, from GET /api/me. */
export function setCsrfToken(token) {
  csrfToken = token;
}

const endedListeners = new Set();
/** Call fn(error) when the hub says the session is over (locked, ended, signed out elsewhere). */
export function onSessionEnded(fn) {
  endedListeners.add(fn);
  return () => endedListeners.delete(fn);
}

function headers(method, { background = false, extra = {} } = {}) {
  return {
    ...(csrfToken && method !== 'GET' && method !== 'HEAD' ? { 'x-csrf-token': csrfToken } : {}),
    ...(background ? { 'x-cgic-background': '1' } : {}),
    ...extra,
  };
}

/** A JSON request; throws ApiError with the hub's code and message when it is refused. */
export async function api(path, { method = 'GET', body, signal, background = false } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      signal,
      credentials: 'same-origin',
      headers: headers(method, { background, extra: body !== undefined ? { 'content-type': 'application/json' } : {} }),
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'The hub did not answer: it may be stopped or restarting. The console tries again on its own.');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const error = new ApiError(res.status, data?.code ?? `HTTP_${res.status}`, data?.message ?? `The hub answered ${res.status}`);
    // A configuration refused by a reload: each problem at file:line:col.
    if (Array.isArray(data?.problems)) error.problems = data.problems;
    if (res.status === 401 && csrfToken) for (const fn of endedListeners) fn(error);
    throw error;
  }
  return data;
}

/** A path with a query string from the defined, non-empty values. */
export function withQuery(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// --- live changes: server-sent events read over fetch (to see the status and stop it at sign-out)

const listeners = new Set();
let liveState = 'off';
const stateListeners = new Set();
let controller = null;

function setState(s) {
  liveState = s;
  for (const fn of stateListeners) fn(s);
}

export function onLiveState(fn) {
  stateListeners.add(fn);
  fn(liveState);
  return () => stateListeners.delete(fn);
}

/** Call fn(topics) whenever the hub says something in those topics changed. */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function startLive() {
  if (controller) return;
  controller = new AbortController();
  void run(controller.signal);
}

export function stopLive() {
  controller?.abort();
  controller = null;
  setState('off');
}

async function run(signal) {
  let wait = 1000;
  while (!signal.aborted) {
    try {
      const res = await fetch('/api/events', { credentials: 'same-origin', headers: headers('GET', { background: true, extra: { accept: 'text/event-stream' } }), signal });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      setState('live');
      wait = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          dispatch(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
    }
    setState('reconnecting');
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 15000);
  }
}

function dispatch(block) {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  if (event !== 'change' || !data) return;
  const { topics } = JSON.parse(data);
  for (const fn of listeners) fn(topics);
}
