/**
 * The `cgic` command. Subcommands read like the task; `--json` where a machine reads the output;
 * exit codes (src/cli/exit-codes.ts): 0 ok, 1 failed work, 2 usage (no command, a connector the
 * configuration does not have), 66 the input file missing or unreadable (`cgic map <file>`), 69 Redis
 * or the database unavailable, 75 state conflict (e.g. a dead letter replayed already), 78 bad
 * configuration (a configuration or mapping file, missing or invalid).
 */
import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, Option } from 'commander';
import { HubError } from '../errors/hub-error.ts';
import { EXIT } from './exit-codes.ts';
import { reportError } from './output.ts';
import type { MapOptions } from './commands/map.ts';
import type { GenerateOptions } from './commands/generate.ts';
import type { StartOptions } from './commands/start.ts';
import type { RunOptions } from './commands/run.ts';
import type { AuditCommandOptions } from './commands/audit.ts';
import type { DeadLettersOptions } from './commands/dead-letters.ts';
import type { TransfersOptions } from './commands/transfers.ts';
import type { StatusOptions } from './commands/status.ts';

/** How a command reaches a running hub's API (src/cli/hub-client.ts). */
const URL_HELP = "the running hub's API, e.g. http://127.0.0.1:8080 (default: this process, or the hub that holds the embedded store, found by its data folder's hub.json)";
const KEY_HELP = 'API key for --url (default: CGIC_API_KEY, else the local hub\'s operator key from its hub.json)';

/** Kinds `cgic generate` writes (src/generate). */
const GENERATOR_KINDS = ['lims-csv', 'lims-xml', 'nibin-leads', 'etrace', 'ndex-xml', 'nibrs-xml'];

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.OK;
  const run = (fn: (...a: never[]) => Promise<number>) =>
    async (...args: unknown[]): Promise<void> => {
      try {
        code = await (fn as (...a: unknown[]) => Promise<number>)(...args);
      } catch (e) {
        code = reportError(e);
      }
    };

  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const program = new Command('cgic')
    .description('cgic-hub: crime-gun data between the forensic lab and police agencies')
    .version(version, '-V, --version', "print the hub's version")
    .exitOverride()
    .showHelpAfterError('(run `cgic help` for the commands)');

  program
    .command('validate')
    .description('check the hub configuration and the mapping files (schemas, cross-references, compilation); exit 78 on any problem')
    .argument('[paths...]', 'mapping files or folders, or a hub configuration (a file with a top-level hub:) (default: mappings/)')
    .option('-c, --config <file>', 'hub configuration to check (default: config/cgic.yaml; "none" to skip)')
    .option('--json', 'print the result as JSON')
    .action(run(async (paths: string[], opts: { json?: boolean; config?: string }) => (await import('./commands/validate.ts')).validateCommand(paths, opts)));

  program
    .command('map')
    .description('preview an inbound mapping on a file: records to stdout, errors and a summary to stderr; exit 1 if any row is invalid or nothing was read from a non-empty file')
    .argument('<file>', 'source file (CSV, XML, JSON, NDJSON)')
    .requiredOption('-m, --mapping <mapping>', 'mapping id (mappings/<id>/) or path to a mapping.yaml')
    .addOption(new Option('-o, --out <format>', 'record output').choices(['ndjson', 'json', 'table']).default('ndjson'))
    .option('--timezone <zone>', "the agency's IANA time zone (default: the agency's in the configuration, else the mapping's)")
    .option('--agency <ORI>', "run as the hub runs a connector of this agency: { context: agency.ori } reads it, other agencies' records are refused")
    .option('--allow-other-agencies', "with --agency: accept other agencies' records, as a connector with allowOtherAgencies (a lab's feed)")
    .option('--connector <id>', "run as this connector of the configuration: its agency, time zone and allowOtherAgencies")
    .option('-c, --config <file>', 'hub configuration for --connector and --agency (default: config/cgic.yaml)')
    .option('--warnings', 'also print warnings (unknown code values, empty values) per row')
    .option('-q, --quiet', 'print only errors and the summary')
    .action(run(async (file: string, opts: MapOptions) => (await import('./commands/map.ts')).mapCommand(file, opts)));

  program
    .command('test')
    .description("run the mappings' golden tests (mappings/<id>/tests/*.test.yaml)")
    .argument('[path]', 'a mapping folder, a mapping file or one case (default: all mappings)')
    .option('--update', 'write the current output as the expectation of cases that use a sidecar (review the diff!)')
    .option('--json', 'print results as JSON')
    .action(run(async (target: string | undefined, opts: { update?: boolean; json?: boolean }) => (await import('./commands/test.ts')).testCommand(target, opts)));

  program
    .command('generate')
    .description('write a deterministic synthetic export (messy spellings, ~1% bad rows) for tests, demos and benchmarks')
    .addOption(new Option('-k, --kind <kind>', 'what to generate').choices(GENERATOR_KINDS).makeOptionMandatory())
    .option('-n, --rows <n>', 'rows (lims-csv, etrace), lab cases (lims-xml), lines (nibin-leads), data items (ndex-xml), reports (nibrs-xml)', '1000')
    .option('-s, --seed <seed>', 'seed: the same seed gives the same bytes', '1')
    .option('-o, --out <file>', 'output file (default: stdout)')
    .addOption(new Option('--encoding <encoding>', 'lims-csv: text encoding').choices(['windows-1252', 'utf-8']))
    .option('--bom', 'lims-csv with --encoding utf-8: start with a byte-order mark')
    .action(run(async (opts: GenerateOptions) => (await import('./commands/generate.ts')).generateCommand(opts)));

  program
    .command('start')
    .description('run the hub: API, workers and scheduler (or the roles given) until SIGTERM')
    .option('-c, --config <file>', 'hub configuration (default: config/cgic.yaml)')
    .option('-r, --role <role...>', 'api, worker, scheduler or all (repeatable)', ['all'])
    .option('-p, --port <port>', 'API port (default: hub.api.port)')
    .action(run(async (opts: StartOptions) => (await import('./commands/start.ts')).startCommand(opts)));

  program
    .command('run')
    .description('run one transfer of a connector now, with progress and a summary')
    .argument('<connector>', 'connector id from the configuration')
    .option('-c, --config <file>', 'hub configuration (default: config/cgic.yaml)')
    .option('--dry-run', 'map and count without storing, delivering or acknowledging the source (a file goes back to its folder, where the next run reads it for real)')
    .option('--wait <seconds>', 'how long to wait for the deliveries it causes', '30')
    .option('--json', 'print the transfer as JSON')
    .option('--url <url>', URL_HELP)
    .option('--key <key>', KEY_HELP)
    .action(run(async (connector: string, opts: RunOptions) => (await import('./commands/run.ts')).runCommand(connector, opts)));

  program
    .command('dead-letters')
    .description('list deliveries and units that failed every attempt, or replay them: one by id, or every pending one a filter matches')
    .addArgument(new Argument('<action>', 'list or replay').choices(['list', 'replay']))
    .argument('[id]', 'dead letter id (replay one)')
    .option('-c, --config <file>', 'hub configuration (default: config/cgic.yaml)')
    .option('--destination <id>', 'deliveries to this destination')
    .option('--connector <id>', 'units of this source connector')
    .addOption(new Option('--kind <kind>', 'deliveries or source units').choices(['delivery', 'unit']))
    .option('--since <time>', 'dead at or after this time (ISO 8601, e.g. 2026-03-14T08:00:00Z)')
    .option('--until <time>', 'dead before this time (ISO 8601)')
    .option('--all', 'list: replayed ones too; replay: every pending dead letter (needed when no filter is given)')
    .option('--dry-run', 'replay: only count what would be replayed')
    .option('--json', 'print JSON')
    .option('--url <url>', URL_HELP)
    .option('--key <key>', KEY_HELP)
    .action(
      run(async (action: 'list' | 'replay', id: string | undefined, opts: DeadLettersOptions) => {
        const filtered = opts.destination !== undefined || opts.connector !== undefined || opts.kind !== undefined || opts.since !== undefined || opts.until !== undefined;
        if (action === 'replay' && id !== undefined && (filtered || opts.all)) throw new HubError('HUB_ERR_CLI_USAGE', { reason: 'cgic dead-letters replay takes a dead letter id, or filters (--destination, --connector, --kind, --since, --until, --all), not both' });
        if (action === 'replay' && id === undefined && !filtered && !opts.all) {
          throw new HubError('HUB_ERR_CLI_USAGE', { reason: 'cgic dead-letters replay needs a dead letter id (see cgic dead-letters list), a filter (--destination, --connector, --kind, --since, --until) or --all' });
        }
        return (await import('./commands/dead-letters.ts')).deadLettersCommand(action, id, opts);
      }),
    );

  program
    .command('status')
    .description("what the running hub is doing: ready or not, each connector and destination, dead letters and rows set aside, and what needs attention; exit 1 when something does, 69 when the hub is not ready")
    .option('-c, --config <file>', 'the configuration the hub runs, to find it by its data folder (default: config/cgic.yaml)')
    .option('--json', 'print the status as JSON')
    .option('--url <url>', "the running hub's API (default: the hub found by the configuration's data folder, hub.json)")
    .option('--key <key>', KEY_HELP)
    .action(run(async (opts: StatusOptions) => (await import('./commands/status.ts')).statusCommand(opts)));

  program
    .command('transfers')
    .description('the transfers, newest first, with their counts, as the console lists them: filter by connector, status and time')
    .option('-c, --config <file>', 'hub configuration (default: config/cgic.yaml)')
    .option('--connector <id>', 'transfers of this connector')
    .addOption(new Option('--status <status>', 'transfers in this status').choices(['queued', 'running', 'succeeded', 'partial', 'failed']))
    .option('--since <time>', 'created at or after this ISO time, or a duration back from now (7d, 24h, 90m)')
    .option('--until <time>', 'created before this time')
    .option('--limit <n>', 'at most this many (1-1000)', '20')
    .option('--offset <n>', 'skip this many (the next page)', '0')
    .option('--json', 'print the page as JSON ({ total, limit, offset, items })')
    .option('--url <url>', URL_HELP)
    .option('--key <key>', KEY_HELP)
    .action(
      run(async (opts: TransfersOptions) => {
        for (const [name, v, max] of [['--limit', opts.limit, 1000], ['--offset', opts.offset, Number.MAX_SAFE_INTEGER]] as const) {
          if (!/^\d+$/.test(v) || Number(v) > max || (name === '--limit' && Number(v) < 1)) throw new HubError('HUB_ERR_CLI_USAGE', { reason: `${name} "${v}" is not a whole number${name === '--limit' ? ' from 1 to 1000' : ''}` });
        }
        return (await import('./commands/transfers.ts')).transfersCommand(opts);
      }),
    );

  for (const action of ['pause', 'resume'] as const) {
    program
      .command(action)
      .description(action === 'pause' ? "pause a connector's schedule on the running hub: its ticks poll nothing until resumed (runs by hand still run)" : "resume a connector's paused schedule on the running hub")
      .argument('<connector>', 'connector id from the configuration')
      .option('-c, --config <file>', 'the configuration the hub runs, to find it by its data folder (default: config/cgic.yaml)')
      .option('--reason <text>', 'why, for the audit trail')
      .option('--json', 'print the result as JSON')
      .option('--url <url>', "the running hub's API (default: the hub found by the configuration's data folder, hub.json)")
      .option('--key <key>', KEY_HELP)
      .action(run(async (connector: string, opts: { config?: string; url?: string; key?: string; reason?: string; json?: boolean }) => (await import('./commands/schedule.ts')).scheduleCommand(action, connector, opts)));
  }

  program
    .command('reload')
    .description("have the running hub apply its configuration file without a restart (POST /api/reload): checked first, refused with every problem (exit 78) and nothing changed if bad")
    .option('-c, --config <file>', 'the configuration the hub runs, to find it by its data folder (default: config/cgic.yaml)')
    .option('--json', 'print the result as JSON')
    .option('--url <url>', "the running hub's API (default: the hub found by the configuration's data folder, hub.json)")
    .option('--key <key>', KEY_HELP)
    .action(run(async (opts: { config?: string; url?: string; key?: string; json?: boolean }) => (await import('./commands/reload.ts')).reloadCommand(opts)));

  program
    .command('audit')
    .description('the audit trail: verify the hash chain (exit 1 naming the first bad entry), export it for a SIEM, prune it past its retention')
    .addArgument(new Argument('<action>', 'verify, export or prune').choices(['verify', 'export', 'prune']))
    .option('-c, --config <file>', 'hub configuration (default: config/cgic.yaml)')
    .option('--since <time>', 'export: entries at or after this ISO time, or a duration back from now (7d, 24h)')
    .option('--until <time>', 'export: entries before this time')
    .option('--after-position <n>', 'export: entries after this position (where the last export stopped)')
    .addOption(new Option('--format <format>', 'export format').choices(['ndjson', 'csv']).default('ndjson'))
    .option('-o, --out <file>', 'export: write to this file (default: stdout)')
    .option('--json', 'verify, prune: print the result as JSON')
    .action(run(async (action: 'verify' | 'export' | 'prune', opts: AuditCommandOptions) => (await import('./commands/audit.ts')).auditCommand(action, opts)));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.OK;
      // `cgic help` and `cgic help <command>` asked for it (0); `cgic` with no command, or `cgic help
      // <unknown>`, got it on stderr instead of a command (a usage error, as git does).
      if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return EXIT.USAGE;
    }
    return reportError(e);
  }
  return code;
}
