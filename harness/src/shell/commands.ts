/**
 * The shell's commands as data (style habit 1): name, aliases, usage, help and
 * handler in one table. `help`, tab completion and the argument check are all
 * built from it. Names follow lftp and the classic `ftp` client.
 */
import { basename } from 'node:path';
import { describeOutcome, type Outcome } from '../wire/outcome.ts';
import { escapeForDisplay } from '../wire/escape.ts';
import { parseHostPort, TargetError } from '../target/profile.ts';
import { checkHostRootListing, checkListing } from './checks.ts';
import { parseListing } from './listing.ts';
import { expectClassOf, type Recorder, type RecordedStep } from './recorder.ts';
import { ShellCommandError, type ShellSession } from './session.ts';
import { getFile, putFile, remoteSize, verifyFile } from './transfers.ts';

export interface CommandContext {
  session: ShellSession;
  args: string[];
  rest: string;
  recorder: Recorder;
  /** --tls: open starts TLS too. */
  tls: boolean;
}

export interface CommandResult {
  ok: boolean;
  /** Lines for the user. */
  output?: string[];
  /** What the command adds to a recording. */
  steps?: RecordedStep[];
  /** exit: leave the shell. */
  exit?: boolean;
}

export interface ShellCommand {
  name: string;
  aliases?: readonly string[];
  usage: string;
  help: string;
  /** Words the command takes: at least min, at most max (undefined: any). */
  args: { min: number; max?: number };
  /** Tab completion of its arguments: remote names, local files, or nothing. */
  completes?: 'remote' | 'none';
  run(context: CommandContext): Promise<CommandResult>;
}

/** What the user sees of an outcome: the reply's lines as the server sent them (escaped), or what happened instead. */
export function shown(outcome: Outcome): string[] {
  return outcome.kind === 'reply' ? outcome.reply.lines.map((line) => escapeForDisplay(line)) : [describeOutcome(outcome)];
}

const codeOf = (outcome: Outcome): number | undefined => (outcome.kind === 'reply' ? outcome.reply.code : undefined);
const isClass = (outcome: Outcome, ...classes: number[]): boolean => outcome.kind === 'reply' && classes.includes(Math.floor(outcome.reply.code / 100));

/** One command line out, its reply shown; ok on the classes given (default 2yz). */
/** `-c` first: resume; the words after it, at least one. */
function resumeFlag(args: string[], usage: string): { resume: boolean; words: string[] } {
  const resume = args[0] === '-c';
  const words = resume ? args.slice(1) : args;
  if (words.length === 0) throw new ShellCommandError(`usage: ${usage}`);
  return { resume, words };
}

async function simple(context: CommandContext, line: string, step: RecordedStep, classes: number[] = [2]): Promise<CommandResult> {
  const outcome = await context.session.exchange(line);
  const expect = expectClassOf(codeOf(outcome));
  return { ok: isClass(outcome, ...classes), output: shown(outcome), steps: [expect ? { ...step, expect } : step] };
}

/** The folder changed: the cached names (for completion) are stale. */
function touched<T>(session: ShellSession, result: T): T {
  session.names = null;
  return result;
}

async function listing(context: CommandContext, verb: 'LIST' | 'NLST', path: string): Promise<{ ok: boolean; text: string; code?: number; problem?: string }> {
  const { session } = context;
  await session.ensureType('A');
  const result = await session.transfer(path === '' ? verb : `${verb} ${path}`);
  const text = (result.data ?? result.partial ?? Buffer.alloc(0)).toString('utf8');
  session.checkData(text, `the ${verb} listing`);
  return { ok: result.ok, text, code: codeOf(result.final), problem: result.problem };
}

/** NLST of the current folder, for tab completion; cached until the folder changes. */
export async function currentNames(session: ShellSession): Promise<string[]> {
  if (session.names) return session.names;
  const result = await listing({ session } as CommandContext, 'NLST', '');
  session.names = result.ok ? result.text.split(/\r?\n/).filter(Boolean).map((name) => basename(name)) : [];
  return session.names;
}

export const COMMANDS: readonly ShellCommand[] = [
  {
    name: 'open', usage: 'open HOST:PORT', help: 'Connect to a server (and start TLS under --tls); then log in with user.', args: { min: 1, max: 1 }, completes: 'none',
    async run({ session, args, tls }) {
      let where: { host: string; port: number };
      try {
        where = parseHostPort(args[0] as string);
      } catch (error) {
        if (error instanceof TargetError) throw new ShellCommandError(error.message);
        throw error;
      }
      const greeting = await session.open(where.host, where.port, tls);
      return { ok: true, output: [`connected to ${where.host}:${where.port}: ${greeting.code} ${greeting.lines[0]?.slice(4) ?? ''}`] };
    },
  },
  {
    name: 'user', aliases: ['login'], usage: 'user NAME [PASSWORD]', help: 'Log in (USER, PASS); then FEAT is read for resume and HASH.', args: { min: 1, max: 2 }, completes: 'none',
    async run({ session, args }) {
      const reply = await session.login(args[0] as string, args[1] ?? '');
      return { ok: true, output: [`${reply.code} ${reply.message}`] };
    },
  },
  {
    name: 'ls', aliases: ['dir'], usage: 'ls [-l] [PATH]', help: 'List a folder (LIST); names only, or the server\'s lines with -l. Every line must parse as ls -l or DOS.', args: { min: 0, max: 2 }, completes: 'remote',
    async run(context) {
      const long = context.args[0] === '-l';
      const path = (long ? context.args[1] : context.args[0]) ?? '';
      const result = await listing(context, 'LIST', path);
      const steps: RecordedStep[] = [{ list: path, command: 'LIST', ...(expectClassOf(result.code) ? { expect: expectClassOf(result.code) } : {}) }];
      if (!result.ok) return { ok: false, output: [`ls: ${result.problem ?? 'failed'}`], steps };
      for (const warning of checkListing(result.text)) context.session.warn(warning);
      const parsed = parseListing(result.text);
      for (const warning of checkHostRootListing(parsed.entries.map((entry) => entry.name), 'the LIST listing')) context.session.warn(warning);
      const lines = result.text.split(/\r?\n/).filter(Boolean);
      return { ok: true, output: long ? lines : parsed.entries.map((entry) => (entry.kind === 'dir' ? `${entry.name}/` : entry.name)), steps };
    },
  },
  {
    name: 'nlist', aliases: ['nls'], usage: 'nlist [PATH]', help: 'List names only (NLST).', args: { min: 0, max: 1 }, completes: 'remote',
    async run(context) {
      const path = context.args[0] ?? '';
      const result = await listing(context, 'NLST', path);
      const steps: RecordedStep[] = [{ list: path, command: 'NLST', ...(expectClassOf(result.code) ? { expect: expectClassOf(result.code) } : {}) }];
      if (!result.ok) return { ok: false, output: [`nlist: ${result.problem ?? 'failed'}`], steps };
      const names = result.text.split(/\r?\n/).filter(Boolean);
      for (const warning of checkHostRootListing(names.map((name) => basename(name)), 'the NLST listing')) context.session.warn(warning);
      return { ok: true, output: names, steps };
    },
  },
  {
    name: 'cd', aliases: ['cwd'], usage: 'cd PATH', help: 'Change the remote folder (CWD).', args: { min: 1, max: 1 }, completes: 'remote',
    async run(context) {
      return touched(context.session, await simple(context, `CWD ${context.args[0]}`, { cd: context.args[0] }));
    },
  },
  {
    name: 'pwd', usage: 'pwd', help: 'Show the remote folder (PWD); the 257 must quote it.', args: { min: 0, max: 0 },
    run: (context) => simple(context, 'PWD', { send: 'PWD' }),
  },
  {
    name: 'mkdir', usage: 'mkdir PATH', help: 'Make a folder (MKD); the 257 must quote its name.', args: { min: 1, max: 1 }, completes: 'remote',
    async run(context) {
      return touched(context.session, await simple(context, `MKD ${context.args[0]}`, { mkdir: context.args[0] }));
    },
  },
  {
    name: 'rmdir', usage: 'rmdir PATH', help: 'Remove an empty folder (RMD).', args: { min: 1, max: 1 }, completes: 'remote',
    async run(context) {
      return touched(context.session, await simple(context, `RMD ${context.args[0]}`, { rmdir: context.args[0] }));
    },
  },
  {
    name: 'rm', aliases: ['delete'], usage: 'rm PATH', help: 'Delete a file (DELE).', args: { min: 1, max: 1 }, completes: 'remote',
    async run(context) {
      return touched(context.session, await simple(context, `DELE ${context.args[0]}`, { delete: context.args[0] }));
    },
  },
  {
    name: 'mv', aliases: ['rename'], usage: 'mv FROM TO', help: 'Rename (RNFR, then RNTO after its 350).', args: { min: 2, max: 2 }, completes: 'remote',
    async run({ session, args }) {
      const [from, to] = args as [string, string];
      session.names = null;
      const first = await session.exchange(`RNFR ${from}`);
      if (!(first.kind === 'reply' && first.reply.code === 350)) {
        return { ok: false, output: shown(first), steps: [{ rename: { from, to }, ...(expectClassOf(codeOf(first)) ? { expect: expectClassOf(codeOf(first)) } : {}) }] };
      }
      const second = await session.exchange(`RNTO ${to}`);
      return { ok: isClass(second, 2), output: shown(second), steps: [{ rename: { from, to }, ...(expectClassOf(codeOf(second)) ? { expect: expectClassOf(codeOf(second)) } : {}) }] };
    },
  },
  {
    name: 'cp', aliases: ['copy'], usage: 'cp FROM TO', help: 'Copy on the server (SITE CPFR, then SITE CPTO after its 350), where the server has it.', args: { min: 2, max: 2 }, completes: 'remote',
    async run(context) {
      const [from, to] = context.args as [string, string];
      context.session.names = null;
      const first = await simple(context, `SITE CPFR ${from}`, { send: `SITE CPFR ${from}` }, [3]);
      if (!first.ok) return first;
      const second = await simple(context, `SITE CPTO ${to}`, { send: `SITE CPTO ${to}` });
      return { ...second, output: [...(first.output ?? []), ...(second.output ?? [])], steps: [...(first.steps ?? []), ...(second.steps ?? [])] };
    },
  },
  {
    name: 'get', aliases: ['recv'], usage: 'get [-c] REMOTE [LOCAL]', help: 'Download (RETR, binary). -c resumes a partial LOCAL (REST+RETR). Checked after: HASH, else SIZE.', args: { min: 1, max: 3 }, completes: 'remote',
    async run({ session, args, recorder }) {
      const { resume, words } = resumeFlag(args, 'get [-c] REMOTE [LOCAL]');
      const remote = words[0] as string;
      const outcome = await getFile(session, remote, words[1] ?? basename(remote), resume);
      const uploaded = recorder.uploadOf(remote);
      const data = uploaded ? { equalsContentOf: uploaded } : outcome.size !== undefined ? { length: outcome.size } : undefined;
      const expect = expectClassOf(outcome.code);
      return { ok: outcome.ok, output: [outcome.message], steps: outcome.code === undefined ? [] : [{ get: remote, ...(expect ? { expect } : {}), ...(outcome.ok && data ? { data } : {}) }] };
    },
  },
  {
    name: 'put', aliases: ['send'], usage: 'put [-c] LOCAL [REMOTE]', help: 'Upload (STOR, binary). -c resumes: SIZE, then REST+STOR (REST STREAM in FEAT) or APPE. Checked after: HASH, else a read-back.', args: { min: 1, max: 3 }, completes: 'none',
    async run({ session, args, recorder }) {
      const { resume, words } = resumeFlag(args, 'put [-c] LOCAL [REMOTE]');
      const local = words[0] as string;
      const remote = words[1] ?? basename(local);
      const outcome = await putFile(session, local, remote, resume);
      if (!outcome.ok || outcome.content === undefined) return { ok: outcome.ok, output: [outcome.message] };
      const expect = expectClassOf(outcome.code) ?? { class: 2 };
      return { ok: true, output: [outcome.message], steps: [{ put: remote, random: outcome.content.length, remember: recorder.rememberUpload(remote), expect }] };
    },
  },
  {
    name: 'verify', usage: 'verify REMOTE [LOCAL]', help: 'Does the server hold exactly LOCAL? HASH where offered, else a download compared byte for byte.', args: { min: 1, max: 2 }, completes: 'remote',
    async run({ session, args }) {
      const remote = args[0] as string;
      const outcome = await verifyFile(session, remote, args[1] ?? basename(remote));
      return { ok: outcome.ok, output: [outcome.message] };
    },
  },
  {
    name: 'size', usage: 'size PATH', help: 'File size in octets (SIZE, RFC 3659 §4, in binary).', args: { min: 1, max: 1 }, completes: 'remote',
    async run({ session, args }) {
      const path = args[0] as string;
      const size = await remoteSize(session, path);
      if (size === null) return { ok: false, output: [`size ${path}: refused or unreadable`], steps: [{ size: path, expect: { class: [4, 5] } }] };
      return { ok: true, output: [`${path}: ${size} bytes`], steps: [{ size: path, equals: size }] };
    },
  },
  {
    name: 'quota', usage: 'quota', help: 'Quota and free space: SITE QUOTA and AVBL (where the server has them).', args: { min: 0, max: 0 },
    async run(context) {
      const quota = await simple(context, 'SITE QUOTA', { send: 'SITE QUOTA' });
      const avbl = await simple(context, 'AVBL', { send: 'AVBL' });
      return { ok: quota.ok || avbl.ok, output: [...(quota.output ?? []), ...(avbl.output ?? [])], steps: [...(quota.steps ?? []), ...(avbl.steps ?? [])] };
    },
  },
  {
    name: 'site', usage: 'site COMMAND...', help: 'Send SITE with the rest of the line (SITE HELP lists what the server has).', args: { min: 1 },
    run: (context) => simple(context, `SITE ${context.rest}`, { site: context.rest }),
  },
  {
    name: 'quote', aliases: ['raw'], usage: 'quote LINE', help: 'Send any line as typed and show the reply (for probing); the reply is still checked.', args: { min: 1 },
    async run(context) {
      const result = await simple(context, context.rest, { send: context.rest }, [1, 2, 3]);
      return touched(context.session, result);
    },
  },
  {
    name: 'passive', aliases: ['pasv', 'epsv'], usage: 'passive [pasv|epsv]', help: 'Passive data connections (PASV by default, or EPSV).', args: { min: 0, max: 1 },
    async run({ session, args }) {
      session.dataMode = args[0]?.toLowerCase() === 'epsv' ? 'epsv' : 'pasv';
      return { ok: true, output: [`data connections: ${session.dataMode.toUpperCase()}`] };
    },
  },
  {
    name: 'active', aliases: ['port', 'eprt'], usage: 'active [port|eprt]', help: 'Active data connections (PORT by default, or EPRT): the server connects to ftp-check.', args: { min: 0, max: 1 },
    async run({ session, args }) {
      session.dataMode = args[0]?.toLowerCase() === 'eprt' ? 'eprt' : 'port';
      return { ok: true, output: [`data connections: ${session.dataMode.toUpperCase()}`] };
    },
  },
  {
    name: 'binary', aliases: ['bin', 'image'], usage: 'binary', help: 'TYPE I (transfers are binary anyway).', args: { min: 0, max: 0 },
    async run(context) {
      const result = await simple(context, 'TYPE I', { send: 'TYPE I' });
      if (result.ok) context.session.transferType = 'I';
      return result;
    },
  },
  {
    name: 'ascii', usage: 'ascii', help: 'TYPE A (listings use it; get and put switch back to binary).', args: { min: 0, max: 0 },
    async run(context) {
      const result = await simple(context, 'TYPE A', { send: 'TYPE A' });
      if (result.ok) context.session.transferType = 'A';
      return result;
    },
  },
  {
    name: 'status', aliases: ['stat'], usage: 'status', help: 'The shell\'s state, then the server\'s (STAT).', args: { min: 0, max: 0 },
    async run(context) {
      const { session } = context;
      const control = session.control;
      const lines = [
        `connected: ${control && !control.isClosed() ? `${control.remoteAddress}:${control.remotePort}${control.isTls() ? ' (TLS)' : ''}` : 'no'}`,
        `logged in as: ${session.loggedInAs ?? '-'}`,
        `data connections: ${session.dataMode.toUpperCase()}${session.protectData ? ', protected (PROT P)' : ''}; type ${session.transferType ?? 'server default'}`,
        `features: ${session.features.join(', ') || '-'}`,
        `warnings so far: ${session.warnings}`,
        `recording: ${context.recorder.recording() ?? 'no'}`,
      ];
      if (!control || control.isClosed()) return { ok: true, output: lines };
      const stat = await simple(context, 'STAT', { send: 'STAT' });
      return { ...stat, output: [...lines, ...(stat.output ?? [])] };
    },
  },
  {
    name: 'record', usage: 'record start FILE | record stop', help: 'Record the commands that follow as a spec case (ftp-check run --specs FILE replays it).', args: { min: 1, max: 2 }, completes: 'none',
    async run({ recorder, args }) {
      if (args[0] === 'start' && args[1]) {
        recorder.start(args[1]);
        return { ok: true, output: [`recording to ${args[1]}`] };
      }
      if (args[0] === 'stop') {
        if (!recorder.recording()) throw new ShellCommandError('not recording (record start FILE first)');
        const { file, steps } = await recorder.stop();
        return { ok: true, output: [`wrote ${file}: ${steps} steps; replay with ftp-check run --specs ${file}`] };
      }
      throw new ShellCommandError('usage: record start FILE | record stop');
    },
  },
  {
    name: 'help', aliases: ['?'], usage: 'help [COMMAND]', help: 'List the commands, or show one.', args: { min: 0, max: 1 },
    async run({ args }) {
      if (args[0]) {
        const command = findCommand(args[0]);
        if (!command) throw new ShellCommandError(`no command "${args[0]}"; help lists them`);
        const aliases = command.aliases?.length ? ` (also: ${command.aliases.join(', ')})` : '';
        return { ok: true, output: [`${command.usage}${aliases}`, `  ${command.help}`] };
      }
      const width = Math.max(...COMMANDS.map((command) => command.usage.length));
      return { ok: true, output: COMMANDS.map((command) => `${command.usage.padEnd(width)}  ${command.help}`) };
    },
  },
  {
    name: 'exit', aliases: ['quit', 'bye'], usage: 'exit', help: 'QUIT and leave.', args: { min: 0, max: 0 },
    async run() {
      return { ok: true, exit: true };
    },
  },
];

const BY_NAME = new Map<string, ShellCommand>();
for (const command of COMMANDS) {
  BY_NAME.set(command.name, command);
  for (const alias of command.aliases ?? []) BY_NAME.set(alias, command);
}

export function findCommand(name: string): ShellCommand | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every name and alias, for completion. */
export function commandNames(): string[] {
  return [...BY_NAME.keys()].sort();
}
