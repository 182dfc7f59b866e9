/** `cgic start`: run the hub (all roles by default) until SIGTERM/SIGINT, then stop gracefully. */
import { Hub, ALL_ROLES, type Role } from '../../runtime/hub.ts';
import { HubError } from '../../errors/hub-error.ts';
import { EXIT } from '../exit-codes.ts';
import { err } from '../output.ts';

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
    // SIGHUP: put the configuration file's API keys in force (a rotation without a restart).
    const reload = (): void => {
      hub.reloadKeys().then(
        (n) => err(`SIGHUP: ${n} API keys in force`),
        (e: unknown) => err(`SIGHUP: the configuration does not load, the keys in force stay: ${(e as Error).message}`),
      );
    };
    process.on('SIGHUP', reload);
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return EXIT.OK;
}
