/** Runs `ftp-check shell` in this process on a script, for the shell's tests: its exit code and every line it printed. */
import { Readable, Writable } from 'node:stream';
import { shellCommand, type ShellFlags } from '../shell-command.ts';

export async function runShell(flags: ShellFlags, script: readonly string[]): Promise<{ code: number; output: string; warnings: string[] }> {
  let output = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString('utf8');
      done();
    },
  });
  const stdin = Readable.from([script.join('\n')]);
  const code = await shellCommand({ script: '-', ...flags }, { stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream });
  return { code, output, warnings: output.split('\n').filter((line) => line.startsWith('WARNING: ')) };
}
