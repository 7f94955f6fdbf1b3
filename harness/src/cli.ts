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
import { gradeCommand, GradeUsageError, type GradeFlags } from './grade/grade-command.ts';
import { RubricError } from './grade/rubric.ts';
import { mergeCommand, stressCommand, type StressCommandFlags } from './cli/stress-command.ts';

function exitCodeFor(error: unknown): { code: number; message: string } {
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
        .option('list', { type: 'boolean', default: false, describe: 'List the cases and exit' })
        .option('bail', { type: 'boolean', default: false, describe: 'Stop after the first failure' })
        .option('timeout', { type: 'number', default: 10, describe: 'Seconds to wait for one reply' })
        .option('jobs', { type: 'number', default: 4, describe: 'Cases run at once (cases that must run alone still do)' })
        .option('deadline', { type: 'number', describe: 'Seconds the whole run may take; cases not done by then are not checked', defaultDescription: '60 + 3 per case' })
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
          if (argv.deadline !== undefined && !(argv.deadline > 0 && argv.deadline <= 86_400)) throw new UsageError('--deadline must be seconds, above 0 and at most 86400');
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
      process.exitCode = await mergeCommand({ files: argv.files as string[], threshold: argv.threshold, json: argv.json }, io);
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
      process.exitCode = await gradeCommand(argv as unknown as GradeFlags, (text) => process.stdout.write(`${text}\n`));
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
