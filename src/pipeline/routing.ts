/**
 * Who receives a changed canonical record: the agencies whose cases it belongs to (every ORI the record
 * names), through their destinations that take records. A record names no other agency's data, so the
 * record route needs no redaction; lead packages, which span agencies, are routed and redacted by enrichment.
 */
import type { HubConfig, DestinationConfig } from '../config/hub-config.ts';

/** Every ORI a record names as owner: agencyOri, requestingOri, agencies[].ori, events[].agencyOri. */
export function recordOris(rec: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const k of ['agencyOri', 'requestingOri', 'recoveredBy']) {
    const v = rec[k];
    if (typeof v === 'string') out.add(v);
  }
  for (const k of ['agencies', 'events']) {
    const list = rec[k];
    if (Array.isArray(list)) {
      for (const x of list) {
        const o = (x as Record<string, unknown>)?.ori ?? (x as Record<string, unknown>)?.agencyOri;
        if (typeof o === 'string') out.add(o);
      }
    }
  }
  return [...out];
}

export class Router {
  private readonly byOri = new Map<string, DestinationConfig[]>();

  constructor(cfg: HubConfig) {
    for (const a of cfg.agencies) {
      this.byOri.set(
        a.ori,
        a.destinations.filter((d) => d.enabled && d.content.includes('records')),
      );
    }
  }

  /**
   * destination id -> the records it should receive. NIBIN leads are never routed as records: they name
   * other agencies' cases, and reach agencies only as lead packages cut by the sharing rules.
   */
  route<R extends Record<string, unknown>>(records: readonly R[]): Map<DestinationConfig, R[]> {
    const out = new Map<DestinationConfig, R[]>();
    for (const r of records) {
      if (r.type === 'NibinLead') continue;
      for (const ori of recordOris(r)) {
        for (const d of this.byOri.get(ori) ?? []) {
          let list = out.get(d);
          if (!list) out.set(d, (list = []));
          if (list[list.length - 1] !== r) list.push(r);
        }
      }
    }
    return out;
  }
}
