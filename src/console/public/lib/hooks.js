// Data for a screen: read from the API, and read again when the hub says one of the screen's topics
// changed (live, no reload), or every `pollMs` as a fallback while the live stream is down.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, onChange } from './api.js';

/** A screen re-reads a route at most this often while its topics keep changing. */
export const LIVE_MIN_MS = 2000;
/** Live re-reads are spread over this long after a change. */
const SPREAD_MS = 1000;

export function useApi(path, { topics = [], pollMs = 0, minMs = LIVE_MIN_MS } = {}) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const seq = useRef(0);
  // background: a re-read the console makes on its own (not the user's activity).
  const load = useCallback(async (background = false) => {
    if (!path) return;
    const mine = ++seq.current;
    try {
      const data = await api(path, { background: background === true });
      if (mine === seq.current) setState({ data, error: null, loading: false, at: Date.now() });
    } catch (error) {
      if (mine === seq.current) setState((s) => ({ ...s, error, loading: false }));
    }
  }, [path]);

  useEffect(() => {
    setState((s) => ({ ...s, loading: true }));
    void load();
  }, [load]);

  const key = topics.join(',');
  useEffect(() => {
    if (!topics.length) return undefined;
    // At most one read per `minMs` however often the hub says something changed (a busy hub
    // changes many times a second): the screen stays current within that, and costs the hub little.
    let timer = null;
    let last = 0;
    const off = onChange((changed) => {
      if (!changed.some((t) => topics.includes(t)) || timer) return;
      // Spread over up to a second: the routes of a screen (and of other open screens) that the same
      // change would send to the hub at one instant arrive one after another instead.
      const wait = Math.max(0, last + minMs - Date.now());
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        void load(true);
      }, Math.max(wait, 100) + Math.floor(Math.random() * SPREAD_MS));
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [key, load, minMs]);

  useEffect(() => {
    if (!pollMs) return undefined;
    const t = setInterval(() => void load(true), pollMs);
    return () => clearInterval(t);
  }, [pollMs, load]);

  return { ...state, reload: () => load(false) };
}

/** The document title and the focus move to the screen's heading when the screen changes. */
export function useScreenTitle(title) {
  useEffect(() => {
    document.title = `${title} · cgic-hub console`;
  }, [title]);
}
