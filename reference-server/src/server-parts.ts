/**
 * The parts ftp-ref is built from, each a small interface the server uses on
 * every command: the command table, the session that serves a control
 * connection, the jail a login is confined to, the count of sessions per
 * account. FtpServer.start uses these unless given others; ftp-check's own
 * tests build deliberately broken servers by swapping a part
 * (reference-server/faults/, which nothing in src/ imports).
 */
import type { Socket } from 'node:net';
import { COMMANDS } from './protocol/command-table.ts';
import type { CommandTable } from './protocol/command-spec.ts';
import { Session } from './session.ts';
import { Jail } from './vfs/jail.ts';
import { LoginSlots } from './login-slots.ts';
import type { ServerContext } from './server-context.ts';
import type { QuotaLedger } from './quota.ts';
import type { VirtualPath } from './vfs/virtual-path.ts';
import type { PathLocks } from './data/path-locks.ts';
import { homeLedger } from './handlers/quota-scope.ts';
import { writerLocks } from './handlers/file-locks.ts';

export interface ServerParts {
  /** Every verb with its rules and handler. */
  commands: CommandTable;
  /** The session of a new control connection; `onClose` gives its connection slot back. */
  createSession(socket: Socket, id: number, context: ServerContext, onClose: (session: Session) => void): Session;
  /** The jail of a login whose root is the folder `root`. */
  openJail(root: string): Promise<Jail>;
  /** Counts sessions per account, up to `maxPerUser` each. */
  loginSlots(maxPerUser: number): LoginSlots;
  // Quota and uploads (handlers/transfer.ts, quota-scope.ts, file-locks.ts)
  /** The ledger that storing, deleting or renaming `path` counts against; null where no quota applies. */
  quotaLedger(session: Session, path: VirtualPath): Promise<QuotaLedger | null>;
  /** A server's writer locks: one upload at a time writes a file in place. */
  writerLocks(context: ServerContext): PathLocks;
}

export const SERVER_PARTS: ServerParts = {
  commands: COMMANDS,
  createSession: (socket, id, context, onClose) => new Session(socket, id, context, onClose),
  openJail: (root) => Jail.open(root),
  loginSlots: (maxPerUser) => new LoginSlots(maxPerUser),
  // Quota and uploads
  quotaLedger: homeLedger,
  writerLocks,
};
