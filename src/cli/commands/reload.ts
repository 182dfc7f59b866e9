/**
 * `cgic reload`: have the running hub read its configuration file again and apply it without a
 * restart (POST /api/reload). A configuration with problems is refused whole, each problem printed
 * at file:line:col, exit 78, and nothing changes; else what started, stopped and changed is printed.
 */
import type { ReloadResult } from '../../runtime/reload.ts';
import { EXIT } from '../exit-codes.ts';
import { err, out } from '../output.ts';
import { HubClient, type ClientOptions } from '../hub-client.ts';

export async function reloadCommand(opts: ClientOptions & { json?: boolean }): Promise<number> {
  const c = HubClient.require(opts);
  const r = await c.request<ReloadResult>('POST', '/api/reload', {});
  if (opts.json) {
    out(JSON.stringify(r, null, 2));
    return EXIT.OK;
  }
  out(`${c.url}: ${r.file} reloaded`);
  for (const what of ['agencies', 'connectors', 'destinations'] as const) {
    const ch = r[what];
    const parts = [ch.added.length ? `added ${ch.added.join(', ')}` : '', ch.removed.length ? `removed ${ch.removed.join(', ')}` : '', ch.changed.length ? `changed ${ch.changed.join(', ')}` : ''].filter(Boolean);
    out(`  ${what}: ${parts.length ? parts.join('; ') : 'unchanged'}`);
  }
  out(`  API keys: ${r.keys} in force`);
  if (r.restartNeeded.length) err(`  changed, but applied only at the next start: ${r.restartNeeded.join(', ')}`);
  return EXIT.OK;
}
