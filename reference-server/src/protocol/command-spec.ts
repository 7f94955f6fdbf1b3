import type { Session } from '../session.ts';

export type Handler = (session: Session, argument: string) => Promise<void> | void;

/**
 * One verb's rules, as data (pyftpdlib's proto_cmds). The dispatcher checks
 * them in a fixed order before the handler runs; HELP and FEAT read them too.
 */
export interface CommandSpec {
  /** Needs a logged-in session (530 otherwise). */
  login: boolean;
  argument: 'required' | 'forbidden' | 'optional';
  /** Changes the filesystem: refused with 550 for read-only (anonymous) sessions. */
  writes?: boolean;
  /** Syntax shown by HELP <verb>. */
  help: string;
  /** Lines this verb adds to FEAT (RFC 2389). */
  feat?: readonly string[];
  /** null: listed, recognised, answered 502 (ftpserverlib's habit: unsupported verbs are still named). */
  handler: Handler | null;
  /** Allowed before AUTH TLS even when the server requires TLS. */
  beforeTls?: boolean;
  /** Leaves a pending REST in place (RFC 3659 §5.3 wants the transfer next; data setup may come between). */
  keepsRest?: boolean;
}

export type CommandTable = Readonly<Record<string, CommandSpec>>;
