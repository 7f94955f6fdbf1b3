/**
 * Script mode: the commands of a file (or of a non-terminal stdin), one by one,
 * each echoed with its outcome. The exit code says how it went: 0 when every
 * command worked and no WARNING was printed, 1 otherwise.
 */
import type { Dispatcher } from './dispatch.ts';
import { maskCommandLine } from './command-line.ts';

export async function runScript(lines: AsyncIterable<string> | Iterable<string>, dispatcher: Dispatcher): Promise<number> {
  const out = (text: string): void => dispatcher.session.out.line(text);
  let failed = 0;
  for await (const line of lines) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    out(`ftp> ${maskCommandLine(line)}`);
    const outcome = await dispatcher.run(line);
    if (!outcome.ok) {
      failed += 1;
      out('  -> FAILED');
    }
    if (outcome.exit) break;
  }
  const warnings = dispatcher.session.warnings;
  out(`script done: ${failed} command${failed === 1 ? '' : 's'} failed, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return failed === 0 && warnings === 0 ? 0 : 1;
}
