/**
 * ftp-check's command line. Errors are mapped to exit codes here, in one
 * place: 2 for usage, spec and target errors; anything else is a bug in
 * ftp-check and says so. Each command's code is imported only when that
 * command runs, so `--help` and `--version` start fast.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_SPECS, PACKAGE_VERSION, UsageError } from './cli/package-files.ts';
import { usageMessage } from './cli/usage-message.ts';
import type { RunFlags } from './cli/run-command.ts';
import type { GradeFlags } from './grade/grade-command.ts';
import type { StressCommandFlags } from './cli/stress-command.ts';
import type { ShellFlags } from './shell/shell-command.ts';
import { escapeKeepingLines } from './wire/escape.ts';

// A reader that goes away (`ftp-check run --list | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

async function exitCodeFor(error: unknown): Promise<{ code: number; message: string }> {
  const [{ SpecError }, { TargetError }, { ExpectFailError }, { GradeUsageError }, { RubricError }] = await Promise.all([
    import('./spec/loader.ts'),
    import('./target/profile.ts'),
    import('./engine/expect-fail.ts'),
    import('./grade/grade-command.ts'),
    import('./grade/rubric.ts'),
  ]);
  if (error instanceof SpecError) return { code: 2, message: `invalid spec:\n${error.problems.map((p) => `  ${p}`).join('\n')}` };
  if (error instanceof TargetError) return { code: 2, message: `target error: ${error.message}` };
  if (error instanceof UsageError || error instanceof ExpectFailError || error instanceof GradeUsageError) return { code: 2, message: error.message };
  if (error instanceof RubricError) return { code: 2, message: `invalid rubric:\n  ${error.message.split('\n').join('\n  ')}` };
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

/** grade --target takes run's account flags: a remote target has the accounts someone made there, not the rubric's. */
const { target: _gradeTarget, ...gradeTargetOptions } = targetOptions;

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
        .option('list', { type: 'boolean', default: false, describe: 'List the cases and exit (with --json: as JSON)' })
        .option('list-suites', { type: 'boolean', default: false, describe: 'List the suites with their case counts and exit' })
        .option('bail', { type: 'boolean', default: false, describe: 'Stop after the first failure' })
        .option('timeout', { type: 'number', default: 10, describe: 'Seconds to wait for one reply' })
        .option('jobs', { type: 'number', default: 4, describe: 'Cases run at once (cases marked alone still run by themselves; cases that mostly wait run beside these)' })
        .option('deadline', { type: 'number', describe: 'Seconds the whole run may take; cases not done by then are not checked', defaultDescription: '60 + 3 per case' })
        .option('strict', { type: 'boolean', default: false, describe: 'SHOULD-level cases count as failures' })
        .option('expect-fail', { type: 'string', coerce: last, describe: 'YAML list of known deviations: { case, reason }' })
        .option('junit', { type: 'string', coerce: last, describe: 'Write JUnit XML (default reports/junit.xml)' })
        .option('tap', { type: 'string', coerce: last, describe: 'Write TAP 14 (default reports/results.tap)' })
        .option('json', { type: 'string', coerce: last, describe: 'Write JSON (default reports/results.json)' })
        .option('reports', { type: 'string', coerce: last, default: 'reports', describe: 'Folder for report files' })
        .option('verbose', { type: 'boolean', default: false, describe: 'Show every transcript' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only failures and the summary' })
        .option('color', { type: 'boolean', describe: 'Colored output', defaultDescription: 'on a terminal, unless NO_COLOR is set' })
        .option('no-color', { type: 'boolean', describe: 'No colors (as NO_COLOR=1 does)' })
        .check((argv) => {
          if (!Number.isInteger(argv.jobs) || argv.jobs < 1 || argv.jobs > 64) throw new UsageError('--jobs must be a whole number from 1 to 64');
          if (!(argv.timeout > 0 && argv.timeout <= 600)) throw new UsageError('--timeout must be seconds, above 0 and at most 600');
          if (argv.deadline !== undefined && !(argv.deadline > 0 && argv.deadline <= 86_400)) throw new UsageError('--deadline must be seconds, above 0 and at most 86400');
          if (argv.quiet && argv.verbose) throw new UsageError('--quiet and --verbose contradict each other: give one');
          return true;
        }),
    async (argv) => {
      const noColor = argv['no-color'] === true || Boolean(process.env.NO_COLOR);
      const flags: RunFlags = {
        ...argv,
        quotaUser: argv['quota-user'],
        noAnonymous: argv['no-anonymous'],
        expectFail: argv['expect-fail'],
        listSuites: argv['list-suites'],
        color: argv['no-color'] === true ? false : (argv.color ?? (Boolean(process.stdout.isTTY) && !noColor)),
      } as unknown as RunFlags;
      const { runCommand } = await import('./cli/run-command.ts');
      process.exitCode = await runCommand(flags, { out: (text) => process.stdout.write(`${text}\n`), progress: process.stderr });
    },
  )
  .command(
    'stress',
    'Load a target with concurrent sessions; latency histograms, throughput, errors, integrity',
    (y) =>
      y
        .options(targetOptions)
        .option('scenario', { type: 'string', coerce: last, default: 'mixed', describe: 'connect, login, list, download, upload, mixed, churn, or a YAML file with a steps: list' })
        .option('clients', { type: 'number', coerce: last, describe: 'Closed model: this many clients, each looping (default 10)' })
        .option('rate', { type: 'number', coerce: last, describe: 'Open model: iterations started per second, latency from the scheduled start' })
        .option('max-in-flight', { type: 'number', coerce: last, describe: 'Open model: iterations at once; starts past it are dropped (default 1000)' })
        .option('duration', { type: 'string', coerce: last, describe: 'Measured time, e.g. 20s (default 10s, or until --amount)' })
        .option('amount', { type: 'number', coerce: last, describe: 'Stop after this many measured iterations' })
        .option('ramp', { type: 'string', coerce: last, describe: 'Bring clients (or the rate) up evenly over this time, e.g. 5s' })
        .option('warmup', { type: 'string', coerce: last, describe: 'Run this long first without counting, e.g. 2s' })
        .option('timeout', { type: 'number', coerce: last, describe: 'Seconds to wait for one reply (default 10)' })
        .option('file-size', { type: 'string', coerce: last, describe: 'Size of uploads and of the seeded download file (default 64k)' })
        .option('remote-file', { type: 'string', coerce: last, describe: 'download: read this existing file instead of a seeded one' })
        .option('remote-digest', { type: 'string', coerce: last, describe: 'ALG:HEX the remote file must match (default: its digest at the start)' })
        .option('digest', { type: 'string', coerce: last, describe: 'crc32 (default), sha1, sha256 or md5 for integrity checks' })
        .option('verify-sample', { type: 'number', coerce: last, describe: 'Share of uploads read back and compared (default 0.1)' })
        .option('users', { type: 'number', coerce: last, describe: 'Make N temporary accounts through SITE ADDUSER (needs --admin), removed after' })
        .option('accounts', { type: 'string', coerce: last, describe: 'File of name:password lines for the clients to log in as' })
        .option('shard', { type: 'string', coerce: last, describe: 'i/n: run the i-th of n equal parts of the load (then ftp-check merge)' })
        .option('data-mode', { type: 'string', coerce: last, describe: 'pasv (default) or epsv' })
        .option('threshold', { type: 'string', array: true, describe: "Pass/fail, e.g. 'p99<250ms' 'errors==0' 'rate>100' 'login.p99<100ms' (exit 1 if breached)" })
        .option('json', { type: 'string', coerce: last, describe: 'Write the result (histograms exact, mergeable) to this file' }),
    async (argv) => {
      const flags = {
        ...argv,
        quotaUser: argv['quota-user'],
        noAnonymous: argv['no-anonymous'],
        maxInFlight: argv['max-in-flight'],
        fileSize: argv['file-size'],
        remoteFile: argv['remote-file'],
        remoteDigest: argv['remote-digest'],
        verifySample: argv['verify-sample'],
        dataMode: argv['data-mode'],
      } as unknown as StressCommandFlags;
      const io = { out: (text: string) => process.stdout.write(`${text}\n`), err: (text: string) => process.stderr.write(`${text}\n`), progress: process.stderr };
      const { stressCommand } = await import('./cli/stress-command.ts');
      process.exitCode = await stressCommand(flags, io);
    },
  )
  .command(
    'merge <files..>',
    'Merge stress results (--json of each shard) exactly and judge thresholds on the whole',
    (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Result files written by stress --json' })
        .option('threshold', { type: 'string', array: true, describe: 'As for stress, judged on the merged result' })
        .option('json', { type: 'string', coerce: last, describe: 'Write the merged result to this file' }),
    async (argv) => {
      const io = { out: (text: string) => process.stdout.write(`${text}\n`), err: (text: string) => process.stderr.write(`${text}\n`), progress: process.stderr };
      const { mergeCommand } = await import('./cli/stress-command.ts');
      process.exitCode = await mergeCommand({ files: argv.files as string[], threshold: argv.threshold, json: argv.json }, io);
    },
  )
  .command(
    'shell',
    'An FTP debug client that checks every reply live; --script runs commands, record turns a session into a spec',
    (y) =>
      y
        .option('target', targetOptions.target)
        .option('profile', targetOptions.profile)
        .option('user', targetOptions.user)
        .option('tls', targetOptions.tls)
        .option('active', { type: 'boolean', default: false, describe: 'Active data connections (PORT): the server connects to ftp-check' })
        .option('script', { type: 'string', coerce: last, requiresArg: true, describe: 'Run the commands of this file (- for stdin) and exit 0, or 1 on a WARNING or a failed command' })
        .option('transcript', { type: 'boolean', default: false, describe: 'Show the raw wire after each command (passwords masked, server bytes escaped)' })
        .option('timeout', { type: 'number', coerce: last, default: 10, describe: 'Seconds to wait for one reply' })
        .option('limit-rate', { type: 'number', coerce: last, describe: 'Transfer no faster than this many bytes per second' })
        .check((argv) => {
          if (!(argv.timeout > 0 && argv.timeout <= 600)) throw new UsageError('--timeout must be seconds, above 0 and at most 600');
          if (argv['limit-rate'] !== undefined && !(argv['limit-rate'] > 0)) throw new UsageError('--limit-rate must be bytes per second, above 0');
          return true;
        }),
    async (argv) => {
      const { shellCommand } = await import('./shell/shell-command.ts');
      const flags = { ...argv, limitRate: argv['limit-rate'] } as unknown as ShellFlags;
      process.exitCode = await shellCommand(flags, { stdin: process.stdin, stdout: process.stdout });
    },
  )
  .command(
    'grade',
    'Mark one lab server (--target) or a folder of submissions (--submissions) with a rubric',
    (y) =>
      y
        .option('rubric', { type: 'string', coerce: last, demandOption: true, describe: 'Rubric YAML (see harness/rubrics/)' })
        .options(gradeTargetOptions)
        .option('target', { type: 'string', coerce: last, describe: 'host:port of one running server to grade' })
        .option('submissions', { type: 'string', coerce: last, describe: 'Folder with one subfolder per student server' })
        .option('start', { type: 'string', coerce: last, describe: 'Start command, e.g. "python3 server.py --port {port} --root {root}" (default: the rubric\'s)' })
        .option('student', { type: 'string', coerce: last, describe: 'Name for the --target report' })
        .option('jobs', { type: 'number', coerce: last, describe: 'Submissions graded at once', defaultDescription: 'from the cores and free memory' })
        .option('unsafe-no-sandbox', { type: 'boolean', default: false, describe: 'Run submissions without the sandbox (only for code you trust)' })
        .option('reports', { type: 'string', coerce: last, default: 'reports', describe: 'Reports go to <reports>/grade/' })
        .option('specs', { type: 'string', array: true, default: [DEFAULT_SPECS], describe: 'Spec files or folders', defaultDescription: 'the bundled specs/' })
        .check((argv) => {
          if (argv.jobs !== undefined && (!Number.isInteger(argv.jobs) || argv.jobs < 1 || argv.jobs > 16)) throw new UsageError('--jobs must be a whole number from 1 to 16');
          return true;
        }),
    async (argv) => {
      const { gradeCommand } = await import('./grade/grade-command.ts');
      process.exitCode = await gradeCommand(argv as unknown as GradeFlags, (text) => process.stdout.write(`${text}\n`));
    },
  )
  .strict()
  .version(PACKAGE_VERSION)
  .alias('version', 'V')
  .help()
  .alias('help', 'h')
  .fail((message, error) => {
    if (error) throw error;
    process.stderr.write(`ftp-check: ${usageMessage(message, hideBin(process.argv))}\n`);
    process.exit(2);
  });

try {
  await cli.parseAsync();
} catch (error) {
  const { code, message } = await exitCodeFor(error);
  process.stderr.write(`ftp-check: ${escapeKeepingLines(message)}\n`); // a target error may quote the server
  process.exit(code);
}
