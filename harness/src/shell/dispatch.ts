/**
 * Runs one shell line: the preconditions in one place and a fixed order
 * (unknown command, wrong number of words, then the handler), a failed command
 * told in one line, the wire shown after it under --transcript, its steps
 * added to a recording. Script mode and the interactive prompt both use it.
 */
import { COMMANDS, findCommand, type CommandResult } from './commands.ts';
import { parseCommandLine } from './command-line.ts';
import type { Recorder } from './recorder.ts';
import { ShellCommandError, type ShellSession } from './session.ts';

export interface LineOutcome {
  /** false for a blank line or a comment. */
  ran: boolean;
  ok: boolean;
  exit: boolean;
}

export class Dispatcher {
  constructor(
    readonly session: ShellSession,
    readonly recorder: Recorder,
    private readonly tls: boolean,
  ) {}

  async run(line: string): Promise<LineOutcome> {
    const out = (text: string): void => this.session.out.line(text);
    let parsed: ReturnType<typeof parseCommandLine>;
    try {
      parsed = parseCommandLine(line);
    } catch (error) {
      out((error as Error).message.replace(/ in: .*/s, ' quote'));
      return { ran: true, ok: false, exit: false };
    }
    if (!parsed) return { ran: false, ok: true, exit: false };
    const command = findCommand(parsed.name);
    if (!command) {
      out(`unknown command "${parsed.name}"; help lists the ${COMMANDS.length} commands`);
      return { ran: true, ok: false, exit: false };
    }
    const { min, max } = command.args;
    if (parsed.args.length < min || (max !== undefined && parsed.args.length > max)) {
      out(`usage: ${command.usage}`);
      return { ran: true, ok: false, exit: false };
    }
    let result: CommandResult;
    try {
      result = await command.run({ session: this.session, args: parsed.args, rest: parsed.rest, recorder: this.recorder, tls: this.tls });
    } catch (error) {
      if (!(error instanceof ShellCommandError) && !isLocalFileError(error)) throw error;
      this.session.flushTranscript();
      out(`${parsed.name}: ${(error as Error).message}`);
      return { ran: true, ok: false, exit: false };
    }
    this.session.flushTranscript();
    for (const text of result.output ?? []) out(text);
    if (result.steps && command.name !== 'record') this.recorder.add(result.steps);
    return { ran: true, ok: result.ok, exit: result.exit === true };
  }
}

/** A local file that cannot be written or read (get into a missing folder) fails the command, not the shell. */
function isLocalFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && ['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EROFS'].includes(code);
}
