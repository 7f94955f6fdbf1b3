/**
 * When the target stops answering while cases run side by side, which of them
 * may have taken it down? Not one whose own connection the target closed while
 * it waited for nothing: the target went down while that case was idle, so it
 * learnt nothing about its requirement and another case did it. Pure.
 */
import type { CaseResult } from './results.ts';

/** A final reply line: `ddd text` with d from 2 to 5 (a 1xx or a `ddd-` line means more is coming). */
const FINAL_REPLY = /^[2-5]\d\d(?: |$)/;

export function closedWhileIdle(result: CaseResult): boolean {
  if (result.failure?.observed !== 'closed') return false;
  const awaiting = new Map<string, boolean>();
  for (const entry of result.transcript) {
    if (entry.direction === 'sent') awaiting.set(entry.channel, true);
    else if (entry.direction === 'received') awaiting.set(entry.channel, !FINAL_REPLY.test(entry.text));
    else if (entry.text.startsWith('closed: ') && !entry.text.includes('by the harness')) return awaiting.get(entry.channel) === false;
  }
  return false;
}
