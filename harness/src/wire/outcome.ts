// What a wait on the control connection ends in. A closed connection and a silent
// server are results a test case judges, not exceptions (style habit 4).

import type { Reply } from './reply-parser.ts';

export type Outcome =
  | { kind: 'reply'; reply: Reply }
  | { kind: 'closed'; reason: string }
  | { kind: 'timeout'; afterMs: number };

/** The reply, if the outcome is one and (when given) its code is among `codes`. */
export function replyOf(outcome: Outcome, ...codes: number[]): Reply | undefined {
  if (outcome.kind !== 'reply') return undefined;
  if (codes.length > 0 && !codes.includes(outcome.reply.code)) return undefined;
  return outcome.reply;
}

/** One line for reports: `reply 230 "Login successful."`, `closed (reset by peer)`. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'reply': {
      const first = outcome.reply.lines[0] ?? '';
      const more = outcome.reply.lines.length > 1 ? ` (+${outcome.reply.lines.length - 1} lines)` : '';
      const shown = first.length > 120 ? `${first.slice(0, 120)}...` : first;
      return `reply ${outcome.reply.code} ${JSON.stringify(shown)}${more}`;
    }
    case 'closed':
      return `connection closed (${outcome.reason})`;
    case 'timeout':
      return `no reply within ${outcome.afterMs} ms`;
  }
}
