/**
 * The parts ftp-ref is built from, each a small interface the server uses
 * anyway: the accounts, the command tables, the session that serves a control
 * connection and the line reader it reads with, who a login is and the jail it
 * gets, the session count per account, passive listeners, quota ledgers and
 * writer locks. FtpServer.start uses these unless given others; ftp-check's own
 * tests build deliberately broken servers by swapping one.
 */
import type { Socket } from 'node:net';
import { COMMANDS } from './protocol/command-table.ts';
import { LineReader } from './protocol/command-line.ts';
import type { CommandTable } from './protocol/command-spec.ts';
import { Session, type Role } from './session.ts';
import { Jail } from './vfs/jail.ts';
import { LoginSlots } from './login-slots.ts';
import type { ServerContext } from './server-context.ts';
import { AccountStore } from './accounts/account-store.ts';
import { PassiveListener, type PassiveOptions } from './data/data-connections.ts';
import { AUTHENTICATOR, type Authenticator } from './authenticator.ts';
import { SITE_COMMANDS, type SiteCommandTable } from './handlers/site.ts';
import type { QuotaLedger } from './quota.ts';
import type { VirtualPath } from './vfs/virtual-path.ts';
import type { PathLocks } from './data/path-locks.ts';
import { homeLedger } from './handlers/quota-scope.ts';
import { writerLocks } from './handlers/file-locks.ts';

export interface ServerParts {
  /** The accounts file, shared with `ftp-ref user` and other processes. */
  openAccounts(file: string): Promise<AccountStore>;
  /** Every verb with its rules and handler. */
  commands: CommandTable;
  /** The session of a new control connection; `onClose` gives its connection slot back. */
  createSession(socket: Socket, id: number, context: ServerContext, onClose: (session: Session) => void): Session;
  /** The jail of a login (of `role`) whose root is the folder `root`. */
  openJail(root: string, role: Role): Promise<Jail>;
  /** Counts sessions per account, up to `maxPerUser` each. */
  loginSlots(maxPerUser: number): LoginSlots;
  /** Cuts a control connection's bytes into command lines of at most `maxLineBytes`. */
  lineReader(maxLineBytes: number): LineReader;
  /** Opens the listener of a PASV or EPSV: one connection, from the control connection's host, within the data timeout. */
  listenPassive(options: PassiveOptions): Promise<PassiveListener>;
  /** Turns a login's name and password into who is logged in. */
  authenticator: Authenticator;
  /** SITE's subcommands with their rules and handlers. */
  siteCommands: SiteCommandTable;
  /** The ledger that storing, deleting or renaming `path` counts against; null where no quota applies. */
  quotaLedger(session: Session, path: VirtualPath): Promise<QuotaLedger | null>;
  /** A server's writer locks: one upload at a time writes a file in place. */
  writerLocks(context: ServerContext): PathLocks;
}

export const SERVER_PARTS: ServerParts = {
  openAccounts: (file) => AccountStore.open(file),
  commands: COMMANDS,
  createSession: (socket, id, context, onClose) => new Session(socket, id, context, onClose),
  openJail: (root) => Jail.open(root),
  loginSlots: (maxPerUser) => new LoginSlots(maxPerUser),
  lineReader: (maxLineBytes) => new LineReader(maxLineBytes),
  listenPassive: (options) => PassiveListener.open(options),
  authenticator: AUTHENTICATOR,
  siteCommands: SITE_COMMANDS,
  quotaLedger: homeLedger,
  writerLocks,
};
