/**
 * The interactive prompt (node:readline): history with the arrow keys (kept
 * across sessions in ~/.ftp-check_history, passwords masked), tab
 * completion of command names and of the current folder's remote names (NLST,
 * cached until the folder changes), and Ctrl-C that aborts the running transfer
 * (ABOR) while the shell stays. Ctrl-D or `exit` leaves.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import { commandNames, currentNames, findCommand } from './commands.ts';
import { maskCommandLine } from './command-line.ts';
import type { Dispatcher } from './dispatch.ts';

const HISTORY_SIZE = 1000;

/** Where history is kept across sessions: $FTP_CHECK_HISTORY (empty: nowhere), else ~/.ftp-check_history. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.FTP_CHECK_HISTORY !== undefined) return env.FTP_CHECK_HISTORY === '' ? null : env.FTP_CHECK_HISTORY;
  return join(homedir(), '.ftp-check_history');
}

/** The saved lines, newest first as readline wants them. */
async function readHistory(file: string | null): Promise<string[]> {
  if (file === null) return [];
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).slice(-HISTORY_SIZE).reverse();
}

/** Completions for `line` (readline's [matches, what they replace]). Remote names only when the connection is idle. */
export async function complete(dispatcher: Dispatcher, line: string, idle: boolean): Promise<[string[], string]> {
  const words = line.split(/\s+/);
  const last = words[words.length - 1] ?? '';
  if (words.length <= 1) return [commandNames().filter((name) => name.startsWith(last)), last];
  const command = findCommand(words[0] as string);
  if (!command || command.completes !== 'remote' || !idle) return [[], last];
  const session = dispatcher.session;
  if (!session.control || session.control.isClosed() || !session.loggedInAs) return [[], last];
  // Its wire (--transcript) is shown with the next command's: printed now it would cut the line being typed.
  const names = await currentNames(session);
  return [names.filter((name) => name.startsWith(last)), last];
}

export async function runRepl(dispatcher: Dispatcher, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  let busy = false;
  const saved = historyFile();
  const rl = readline.createInterface({
    history: await readHistory(saved),
    removeHistoryDuplicates: true,
    input,
    output,
    prompt: 'ftp> ',
    historySize: HISTORY_SIZE,
    terminal: true,
    completer: (line: string, callback: (error: Error | null, result: [string[], string]) => void) => {
      const idle = !busy;
      busy = true;
      complete(dispatcher, line, idle).then(
        (result) => {
          busy = !idle;
          callback(null, result);
        },
        (error: unknown) => {
          busy = !idle;
          callback(error as Error, [[], line]);
        },
      );
    },
  });
  rl.on('SIGINT', () => {
    if (dispatcher.session.abortTransfer()) {
      output.write('\n^C: aborting the transfer (ABOR)\n');
      return;
    }
    output.write('^C (exit or Ctrl-D leaves)\n');
    rl.prompt();
  });
  output.write(`ftp-check shell: ${dispatcher.session.warnings === 0 ? 'no warnings so far' : `${dispatcher.session.warnings} warnings so far`}; help lists the commands\n`);
  rl.prompt();
  for await (const line of rl) {
    busy = true;
    // Saved with passwords masked: the file outlives the session.
    if (saved !== null && line.trim() !== '') await appendFile(saved, `${maskCommandLine(line)}\n`, { mode: 0o600 }).catch(() => {});
    try {
      const outcome = await dispatcher.run(line);
      if (outcome.exit) break;
    } finally {
      busy = false;
    }
    rl.prompt();
  }
  rl.close();
  return 0;
}
