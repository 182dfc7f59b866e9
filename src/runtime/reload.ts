/**
 * What a configuration reload changes: the difference between the configuration in force and the
 * one just read, by id (connectors, agencies, destinations), and the settings that changed but only
 * apply at the next start (the API's address and TLS, the data folder, the audit trail, the workers'
 * concurrency and retry timing). Pure: the hub (runtime/hub.ts) applies it.
 */
import type { HubConfig } from '../config/hub-config.ts';

export interface Changes {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface ReloadResult {
  /** The configuration file read. */
  file: string;
  connectors: Changes;
  agencies: Changes;
  destinations: Changes;
  /** API keys configured (they are in force). */
  keys: number;
  /** Settings that changed but apply only when the hub is restarted (dotted paths). */
  restartNeeded: string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function changes<T>(before: readonly T[], after: readonly T[], id: (x: T) => string, comparable: (x: T) => unknown = (x) => x): Changes {
  const prev = new Map(before.map((x) => [id(x), x]));
  const next = new Map(after.map((x) => [id(x), x]));
  return {
    added: [...next.keys()].filter((k) => !prev.has(k)),
    removed: [...prev.keys()].filter((k) => !next.has(k)),
    changed: [...next.keys()].filter((k) => prev.has(k) && !same(comparable(prev.get(k)!), comparable(next.get(k)!))),
  };
}

/** Settings read once at start; a change is reported, not applied. */
function restartNeeded(prev: HubConfig, next: HubConfig): string[] {
  const out: string[] = [];
  const { keys: _a, ...apiPrev } = prev.hub.api;
  const { keys: _b, ...apiNext } = next.hub.api;
  for (const k of new Set([...Object.keys(apiPrev), ...Object.keys(apiNext)]) as Set<keyof typeof apiPrev>) {
    if (!same(apiPrev[k], apiNext[k])) out.push(`hub.api.${k}`);
  }
  if (prev.hub.dataDir !== next.hub.dataDir) out.push('hub.dataDir');
  if (!same(prev.hub.audit, next.hub.audit)) out.push('hub.audit');
  if (!same(prev.hub.delivery, next.hub.delivery)) out.push('hub.delivery');
  if (prev.hub.transfers.concurrency !== next.hub.transfers.concurrency) out.push('hub.transfers.concurrency');
  return out;
}

export function diffConfigs(prev: HubConfig, next: HubConfig): { result: Omit<ReloadResult, 'file' | 'keys'>; summary: Record<string, number> } {
  const connectors = changes(prev.connectors, next.connectors, (c) => c.id);
  const agencies = changes(prev.agencies, next.agencies, (a) => a.ori, ({ destinations: _d, ...rest }) => rest);
  const dest = (cfg: HubConfig) => cfg.agencies.flatMap((a) => a.destinations);
  const destinations = changes(dest(prev), dest(next), (d) => d.id);
  const result = { connectors, agencies, destinations, restartNeeded: restartNeeded(prev, next) };
  const summary: Record<string, number> = {};
  for (const [what, c] of Object.entries({ connectors, agencies, destinations })) for (const [k, v] of Object.entries(c)) summary[`${what}${k[0]!.toUpperCase()}${k.slice(1)}`] = v.length;
  return { result, summary };
}
