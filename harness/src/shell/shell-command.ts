/**
 * `ftp-check shell`: connects (to --target, or to an embedded ftp-ref started
 * for it), logs in, then reads commands from --script, from a non-terminal
 * stdin, or interactively. A target that cannot be reached or refuses the login
 * is a TargetError (exit 2), as for run.
 */
import { readFile } from 'node:fs/promises';
import readline from 'node:readline';
import { buildProfile, TargetError, type ProfileFlags, type TargetProfile } from '../target/profile.ts';
import { EMBEDDED_LIMITS, startEmbeddedTarget, type EmbeddedTarget } from '../target/embedded.ts';
import { UsageError } from '../cli/package-files.ts';
import { Dispatcher } from './dispatch.ts';
import { Recorder } from './recorder.ts';
import { runRepl } from './repl.ts';
import { runScript } from './script.ts';
import { ShellCommandError, ShellSession } from './session.ts';

export interface ShellFlags extends ProfileFlags {
  active?: boolean;
  script?: string;
  transcript?: boolean;
  /** Seconds to wait for one reply. */
  timeout?: number;
  /** Bytes per second for transfers. */
  limitRate?: number;
}

/** The embedded ftp-ref's idle timeout for the shell: half an hour at the prompt. */
const EMBEDDED_IDLE_SECONDS = 1800;

export interface ShellIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export async function shellCommand(flags: ShellFlags, io: ShellIo): Promise<number> {
  const interactive = flags.script === undefined && io.stdin.isTTY === true;
  // A script that cannot be read is a usage error before anything starts.
  const fromFile = interactive || flags.script === undefined || flags.script === '-' ? null : await readScript(flags.script);
  let embedded: EmbeddedTarget | undefined;
  let profile: TargetProfile;
  if (flags.target !== undefined || flags.profile !== undefined) {
    profile = await buildProfile(flags);
  } else {
    // run's small limits make its idle cases quick; a person at a prompt pauses longer than 8 s.
    embedded = await startEmbeddedTarget({ tls: flags.tls, limits: { ...EMBEDDED_LIMITS, idleTimeoutSeconds: EMBEDDED_IDLE_SECONDS } });
    profile = embedded.profile;
  }
  const session = new ShellSession(
    { line: (text) => io.stdout.write(`${text}\n`), terminal: io.stdout.isTTY ? io.stdout : null },
    { timeoutMs: (flags.timeout ?? 10) * 1000, showTranscript: flags.transcript === true, serverPaths: profile.serverPaths, limitRate: flags.limitRate },
    flags.active === true,
  );
  const dispatcher = new Dispatcher(session, new Recorder(), profile.tls);
  try {
    const account = profile.accounts.user ?? profile.accounts.anonymous;
    try {
      const greeting = await session.open(profile.host, profile.port, profile.tls);
      session.flushTranscript();
      session.out.line(`connected to ${profile.name}: ${greeting.code} ${greeting.message.split('\n')[0]}`);
      if (account) {
        const reply = await session.login(account.name, account.password);
        session.flushTranscript();
        session.out.line(`logged in as ${account.name}: ${reply.code} ${reply.message.split('\n')[0]}`);
      }
    } catch (error) {
      session.flushTranscript();
      if (error instanceof ShellCommandError) throw new TargetError(error.message);
      throw error;
    }
    if (interactive) return await runRepl(dispatcher, io.stdin, io.stdout);
    // stdin is read only now: lines that came while connecting would be lost to a reader made earlier.
    return await runScript(fromFile ?? readline.createInterface({ input: io.stdin, crlfDelay: Infinity }), dispatcher);
  } finally {
    await session.close();
    await embedded?.stop();
  }
}

async function readScript(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split(/\r?\n/);
  } catch (error) {
    throw new UsageError(`cannot read the script ${file}: ${(error as Error).message}`);
  }
}
