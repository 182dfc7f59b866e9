/**
 * The `cgic` command. Subcommands read like the task; `--json` where a machine reads the output;
 * exit codes: 0 ok, 1 failed work, 2 usage, 78 bad configuration.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './exit-codes.ts';
import { reportError } from './output.ts';
import { validateCommand } from './commands/validate.ts';
import { mapCommand } from './commands/map.ts';
import { testCommand } from './commands/test.ts';
import { generateCommand, GENERATOR_KINDS } from './commands/generate.ts';
import { demoCommand } from './commands/demo.ts';

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

  const program = new Command('cgic')
    .description('cgic-hub: crime-gun data between the forensic lab and police agencies')
    .exitOverride()
    .showHelpAfterError('(run `cgic help` for the commands)');

  program
    .command('validate')
    .description('check mapping files against their schema and compile them; exit 78 on any problem')
    .argument('[paths...]', 'mapping files or folders (default: mappings/)')
    .option('--json', 'print the result as JSON')
    .action(run((paths: string[], opts: { json?: boolean }) => validateCommand(paths, opts)));

  program
    .command('map')
    .description('preview an inbound mapping on a file: records to stdout, errors and a summary to stderr; exit 1 if any row is invalid')
    .argument('<file>', 'source file (CSV, XML, JSON, NDJSON)')
    .requiredOption('-m, --mapping <mapping>', 'mapping id (mappings/<id>/) or path to a mapping.yaml')
    .addOption(new Option('-o, --out <format>', 'record output').choices(['ndjson', 'json', 'table']).default('ndjson'))
    .option('--timezone <zone>', "the agency's IANA time zone (default: the mapping's)")
    .option('--warnings', 'also print warnings (unknown code values) per row')
    .option('-q, --quiet', 'print only errors and the summary')
    .action(run((file: string, opts: Parameters<typeof mapCommand>[1]) => mapCommand(file, opts)));

  program
    .command('test')
    .description("run the mappings' golden tests (mappings/<id>/tests/*.test.yaml)")
    .argument('[path]', 'a mapping folder, a mapping file or one case (default: all mappings)')
    .option('--update', 'write the current output as the expectation of cases that use a sidecar (review the diff!)')
    .option('--json', 'print results as JSON')
    .action(run((target: string | undefined, opts: { update?: boolean; json?: boolean }) => testCommand(target, opts)));

  program
    .command('generate')
    .description('write a deterministic synthetic export (messy spellings, ~1% bad rows) for tests, demos and benchmarks')
    .addOption(new Option('-k, --kind <kind>', 'what to generate').choices(GENERATOR_KINDS).makeOptionMandatory())
    .option('-n, --rows <n>', 'rows (lims-csv, etrace), lab cases (lims-xml), lines (nibin-leads), incidents (rms-xml)', '1000')
    .option('-s, --seed <seed>', 'seed: the same seed gives the same bytes', '1')
    .option('-o, --out <file>', 'output file (default: stdout)')
    .action(run((opts: Parameters<typeof generateCommand>[0]) => generateCommand(opts)));

  program
    .command('demo', { isDefault: true })
    .description('map the bundled fixtures with the shipped mappings and show what comes out (no services needed)')
    .action(run(() => demoCommand()));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    return reportError(e);
  }
  return code;
}
