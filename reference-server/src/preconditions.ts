/**
 * The checks every command passes, in one fixed order, before its handler runs:
 * unknown 500, not implemented 502, bad argument 501, TLS required 530/534,
 * not logged in 530, not permitted 550.
 */
import { Reply } from './protocol/replies.ts';
import type { CommandSpec } from './protocol/command-spec.ts';

export interface SessionFacts {
  loggedIn: boolean;
  readOnly: boolean;
  tlsRequiredButMissing: boolean;
}

export type Refusal = { code: number; text: string };

export function checkPreconditions(
  verb: string,
  spec: CommandSpec | undefined,
  argument: string,
  hasControlCharacters: boolean,
  facts: SessionFacts,
): Refusal | null {
  if (!spec) return { code: Reply.syntaxError, text: `Unknown command ${printable(verb)}.` };
  if (!spec.handler) return { code: Reply.notImplemented, text: `${verb} not implemented.` };
  if (spec.argument === 'required' && argument.trim() === '') return { code: Reply.argumentSyntaxError, text: `${verb} needs an argument.` };
  if (spec.argument === 'forbidden' && argument.trim() !== '') return { code: Reply.argumentSyntaxError, text: `${verb} takes no argument.` };
  if (hasControlCharacters) return { code: Reply.argumentSyntaxError, text: 'Control characters are not allowed in a command.' };
  if (facts.tlsRequiredButMissing && !spec.beforeTls) {
    return { code: facts.loggedIn ? Reply.requestDeniedPolicy : Reply.notLoggedIn, text: 'TLS required: use AUTH TLS first.' };
  }
  if (spec.login && !facts.loggedIn) return { code: Reply.notLoggedIn, text: 'Please login with USER and PASS.' };
  if (spec.writes && facts.readOnly) return { code: Reply.fileUnavailable, text: 'Permission denied: this account is read-only.' };
  return null;
}

/** A verb echoed back must not carry bytes that break a reply or a terminal. */
function printable(verb: string): string {
  const clean = verb.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 32 ? `${clean.slice(0, 32)}...` : clean;
}
