/** `cgic start`: run the hub (all roles by default) until SIGTERM/SIGINT, then stop gracefully. */
import { Hub, ALL_ROLES, type Role } from '../../runtime/hub.ts';
import { HubError } from '../../errors/hub-error.ts';
import { EXIT } from '../exit-codes.ts';
import os from 'node:os';
import { err } from '../output.ts';
import { failureLines } from '../../errors/report-lines.ts';

export interface StartOptions {
  config?: string;
  role: string[];
  port?: string;
}

export async function startCommand(opts: StartOptions): Promise<number> {
  const roles = opts.role.includes('all') ? [...ALL_ROLES] : (opts.role as Role[]);
  for (const r of roles) if (!ALL_ROLES.includes(r)) throw new HubError('HUB_ERR_CLI_USAGE', { reason: `unknown role "${r}" (api, worker, scheduler, all)` });
  const hub = await Hub.start({ configFile: opts.config, roles, port: opts.port !== undefined ? Number(opts.port) : undefined });
  if (hub.address) err(`cgic-hub ${hub.cfg.hub.name}: API on ${hub.address} (docs ${hub.address}/docs), roles ${roles.join(', ')}; Ctrl-C stops`);
  else err(`cgic-hub ${hub.cfg.hub.name}: roles ${roles.join(', ')}, ${hub.metricsAddress ? `metrics on ${hub.metricsAddress}/metrics` : 'no HTTP (set hub.api.metricsPort to serve /metrics)'}; Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      err(`${signal}: finishing jobs in flight, then stopping`);
      hub.stop().then(resolve, (e: unknown) => {
        err(`stop failed: ${(e as Error).message}`);
        resolve();
      });
    };
    // SIGHUP: apply the configuration file without a restart (as POST /api/reload), on the audit trail.
    const reload = (): void => {
      const entry = (outcome: 'ok' | 'refused', extra: Record<string, unknown>) =>
        hub.audit.record({ category: 'operator', action: 'reload (SIGHUP)', actor: 'signal:SIGHUP', subjects: [], outcome, source: os.hostname(), ...extra }).catch((e: Error) => err(`SIGHUP: audit entry not written: ${e.message}`));
      hub.reload().then(
        async (r) => {
          await entry('ok', { detail: { file: r.file, connectors: r.connectors, agencies: r.agencies, destinations: r.destinations, keys: r.keys, restartNeeded: r.restartNeeded } });
          err(`SIGHUP: ${r.file} reloaded (connectors +${r.connectors.added.length} -${r.connectors.removed.length} ~${r.connectors.changed.length}, agencies +${r.agencies.added.length} -${r.agencies.removed.length}, ${r.keys} API keys)${r.restartNeeded.length ? `; at the next start only: ${r.restartNeeded.join(', ')}` : ''}`);
        },
        async (e: unknown) => {
          await entry('refused', { code: e instanceof HubError ? e.code : 'HUB_ERR_CONFIG_INVALID', reason: (e as Error).message.slice(0, 2000) });
          err(`SIGHUP: the configuration is refused, nothing changed:`);
          for (const l of failureLines(e) ?? [(e as Error).message]) err(`  ${l}`);
        },
      );
    };
    process.on('SIGHUP', reload);
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return EXIT.OK;
}
