/**
 * ftp-check's command line. Errors are mapped to exit codes here, in one
 * place: 2 for usage, spec and target errors; anything else is a bug in
 * ftp-check and says so.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SpecError } from './spec/loader.ts';
import { TargetError } from './target/profile.ts';
import { ExpectFailError } from './engine/expect-fail.ts';
import { DEFAULT_SPECS, runCommand, UsageError, type RunFlags } from './cli/run-command.ts';

function exitCodeFor(error: unknown): { code: number; message: string } {
  if (error instanceof SpecError) return { code: 2, message: `invalid spec:\n${error.problems.map((p) => `  ${p}`).join('\n')}` };
  if (error instanceof TargetError) return { code: 2, message: `target error: ${error.message}` };
  if (error instanceof UsageError || error instanceof ExpectFailError) return { code: 2, message: error.message };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES') return { code: 2, message: (error as Error).message };
  return { code: 2, message: `internal error (a bug in ftp-check, please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
}

/** A single-value option given twice takes its last value (as most CLIs do) instead of becoming a list. */
const last = (value: unknown) => (Array.isArray(value) ? value[value.length - 1] : value);

const targetOptions = {
  target: { type: 'string', coerce: last, describe: 'host:port of the FTP server (default: an embedded ftp-ref on a free port)' },
  profile: { type: 'string', coerce: last, describe: 'Target profile (YAML): accounts per role, TLS, limits, capabilities' },
  tls: { type: 'boolean', describe: 'Use explicit FTPS (AUTH TLS, PROT P) for every session' },
  user: { type: 'string', coerce: last, describe: 'Account for the "user" role, name:password' },
  user2: { type: 'string', coerce: last, describe: 'A second user, name:password' },
  admin: { type: 'string', coerce: last, describe: 'Administrator account, name:password' },
  'quota-user': { type: 'string', coerce: last, describe: 'Quota-limited account, name:password:limit-in-bytes' },
  anonymous: { type: 'string', coerce: last, describe: 'Anonymous login, name:password (default anonymous:ftp-check@example.com)' },
  'no-anonymous': { type: 'boolean', describe: 'The target has no anonymous access' },
} as const;

const cli = yargs(hideBin(process.argv))
  .scriptName('ftp-check')
  .usage('$0 <command> [options]\n\nConformance checker, load harness and grader for FTP servers.')
  .parserConfiguration({ 'boolean-negation': false })
  .command(
    ['run', '$0'],
    'Run the spec suites against a target',
    (y) =>
      y
        .options(targetOptions)
        .option('specs', { type: 'string', array: true, default: [DEFAULT_SPECS], describe: 'Spec files or folders', defaultDescription: 'the bundled specs/' })
        .option('suite', { type: 'string', array: true, describe: 'Only these suites' })
        .option('case', { type: 'string', array: true, describe: 'Only cases whose id matches this glob (e.g. "jail.*")' })
        .option('list', { type: 'boolean', default: false, describe: 'List the cases and exit' })
        .option('bail', { type: 'boolean', default: false, describe: 'Stop after the first failure' })
        .option('timeout', { type: 'number', default: 10, describe: 'Seconds to wait for one reply' })
        .option('jobs', { type: 'number', default: 4, describe: 'Cases run at once (cases that must run alone still do)' })
        .option('strict', { type: 'boolean', default: false, describe: 'SHOULD-level cases count as failures' })
        .option('expect-fail', { type: 'string', coerce: last, describe: 'YAML list of known deviations: { case, reason }' })
        .option('junit', { type: 'string', coerce: last, describe: 'Write JUnit XML (default reports/junit.xml)' })
        .option('tap', { type: 'string', coerce: last, describe: 'Write TAP 14 (default reports/results.tap)' })
        .option('json', { type: 'string', coerce: last, describe: 'Write JSON (default reports/results.json)' })
        .option('reports', { type: 'string', coerce: last, default: 'reports', describe: 'Folder for report files' })
        .option('verbose', { type: 'boolean', default: false, describe: 'Show every transcript' })
        .option('color', { type: 'boolean', default: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, describe: 'Colored output' })
        .check((argv) => {
          if (!Number.isInteger(argv.jobs) || argv.jobs < 1 || argv.jobs > 64) throw new UsageError('--jobs must be a whole number from 1 to 64');
          if (!(argv.timeout > 0 && argv.timeout <= 600)) throw new UsageError('--timeout must be seconds, above 0 and at most 600');
          return true;
        }),
    async (argv) => {
      const flags: RunFlags = {
        ...argv,
        quotaUser: argv['quota-user'],
        noAnonymous: argv['no-anonymous'],
        expectFail: argv['expect-fail'],
      } as unknown as RunFlags;
      process.exitCode = await runCommand(flags, (text) => process.stdout.write(`${text}\n`));
    },
  )
  .strict()
  .help()
  .fail((message, error, instance) => {
    if (error) {
      const { code, message: text } = exitCodeFor(error);
      process.stderr.write(`ftp-check: ${text}\n`);
      process.exit(code);
    }
    process.stderr.write(`ftp-check: ${message}\n\n${instance.help()}\n`);
    process.exit(2);
  });

try {
  await cli.parseAsync();
} catch (error) {
  const { code, message } = exitCodeFor(error);
  process.stderr.write(`ftp-check: ${message}\n`);
  process.exit(code);
}
