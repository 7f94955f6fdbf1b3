/**
 * SITE and its subcommands (protocol.md): registration, quota, copy, and the
 * admin commands. Subcommands have their own table, checked by the same
 * preconditions as top-level verbs; admin-only ones answer 550 to anyone else.
 */
import { copyFile, lstat, mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Reply } from '../protocol/replies.ts';
import { FtpReplyError } from '../errors.ts';
import { checkPreconditions } from '../preconditions.ts';
import { AccountError, AccountStore, RESERVED_FOR_REGISTRATION } from '../accounts/account-store.ts';
import { resolveVirtual } from '../vfs/virtual-path.ts';
import type { FileHandle } from 'node:fs/promises';
import { openBeforeRemoval, openToRead, pathOfHandle } from '../vfs/no-follow.ts';
import type { JailPath } from '../vfs/jail.ts';
import type { VirtualPath } from '../vfs/virtual-path.ts';
import { ledgerFor } from './quota-scope.ts';
import { underNameLocks } from './file-locks.ts';
import { QuotaExceededError } from '../quota.ts';
import { quotaView } from './account-view.ts';
import type { CommandSpec, Handler } from '../protocol/command-spec.ts';
import type { Session } from '../session.ts';

export interface SiteCommandSpec extends CommandSpec {
  /** For administrators only: 550 to anyone else. */
  admin?: boolean;
}

export type SiteCommandTable = Readonly<Record<string, SiteCommandSpec>>;

/** A quota limit: a whole number of bytes (0: none), else 501. */
export function parseLimit(text: string | undefined): number {
  if (text === undefined || !/^\d{1,15}$/.test(text)) throw new FtpReplyError(Reply.argumentSyntaxError, 'The limit must be a whole number of bytes.');
  return Number(text);
}

/** An account store refusal as a 550 with its reason; anything else as it was. */
export function accountFailure(error: unknown): never {
  if (error instanceof AccountError) throw new FtpReplyError(Reply.fileUnavailable, error.message);
  throw error;
}

const siteHelp: Handler = (session) => {
  const lines = Object.entries(session.context.parts.siteCommands).map(([name, spec]) => `${name} ${spec.help}`.trim());
  session.reply(Reply.help, ['SITE commands:', ...lines, 'End']);
};

const register: Handler = async (session, argument) => {
  const { context } = session;
  if (!context.settings.registration) throw new FtpReplyError(Reply.notImplemented, 'Registration is off on this server.');
  const [name = '', password = '', extra] = argument.split(' ');
  if (password === '' || extra !== undefined) throw new FtpReplyError(Reply.argumentSyntaxError, 'Syntax: SITE REGISTER <user> <password>');
  if (RESERVED_FOR_REGISTRATION.has(name)) throw new FtpReplyError(Reply.fileUnavailable, 'That name is reserved.');
  try {
    AccountStore.checkName(name);
  } catch (error) {
    accountFailure(error);
  }
  // The name is taken while its home exists: the kept home of a deleted account never passes to a stranger.
  const home = join(context.layout.storage, name);
  await context.accounts.add(name, password, { role: 'user', quotaLimit: context.settings.defaultQuota, unusedHome: home }).catch(accountFailure);
  context.logs.auth.info({ session: session.id, remote: session.remoteAddress, user: name }, 'registered');
  session.reply(Reply.ok, `Account ${name} created; its home is /${name}.`);
};

const quota: Handler = async (session) => {
  const view = await quotaView(session);
  session.reply(Reply.ok, `used=${view.used} limit=${view.limit}`);
};

const copyFrom: Handler = async (session, argument) => {
  const source = await session.resolvePath(argument);
  const info = await lstat(source.real).finally(() => source.close());
  if (!info.isFile()) throw new FtpReplyError(Reply.fileUnavailable, 'Only files can be copied.');
  // Only the name is kept: CPTO opens it again, and copies from what it opened.
  session.copyFrom = source.virtual;
  session.reply(Reply.pendingFurtherInfo, 'Source noted; send SITE CPTO <path>.');
};

const copyTo: Handler = async (session, argument) => {
  const source = session.copyFrom;
  session.copyFrom = null;
  if (!source) throw new FtpReplyError(Reply.badSequence, 'SITE CPFR required first.');
  const target = await session.resolvePath(argument);
  try {
    const from = session.requireIdentity().jail.pin(source);
    const file = await openToRead(from.real).finally(() => from.close());
    try {
      await copyInto(session, file, source, target);
    } finally {
      await file.close();
    }
  } finally {
    target.close();
  }
};

/** Copies the open source `file` to `target` through a temporary file, counted in the target's quota. */
async function copyInto(session: Session, file: FileHandle, source: VirtualPath, target: JailPath): Promise<void> {
  const info = await file.stat();
  if (!info.isFile()) throw new FtpReplyError(Reply.fileUnavailable, 'Only files can be copied.');
  const size = info.size;
  const existing = await lstat(target.real).catch(() => null);
  if (existing && !existing.isFile()) throw new FtpReplyError(Reply.fileUnavailable, 'Target is a directory.');
  const ledger = await ledgerFor(session, target.virtual);
  const refuse = () => {
    session.context.logs.files.warn({ session: session.id, user: session.who, to: target.virtual }, 'copy refused: quota exceeded');
    return new FtpReplyError(Reply.exceededStorage, 'Quota exceeded: the copy would pass your storage limit.');
  };
  // Refused at once when it cannot fit; the count that decides is made when the copy takes the name.
  if (ledger && size - (existing ? ledger.countedOf(existing) : 0) > ledger.available()) throw refuse();
  // Copy beside the server's files, then rename: the target is never seen half-written.
  const temporary = join(session.context.layout.tmp, `copy-${randomBytes(8).toString('hex')}`);
  try {
    await copyFile(pathOfHandle(file), temporary);
    // What was copied, which is more than `size` if an APPE was writing the source meanwhile.
    const copied = (await lstat(temporary)).size;
    await underNameLocks(session.context, [target.key], async () => {
      const replaced = await openBeforeRemoval(target.real);
      try {
        if (ledger) await ledger.place(copied, 0, replaced, () => rename(temporary, target.real));
        else await rename(temporary, target.real);
      } finally {
        await replaced?.close();
      }
    });
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error instanceof QuotaExceededError ? refuse() : error;
  }
  session.context.logs.files.info({ session: session.id, user: session.who, action: 'copy', from: source, to: target.virtual, bytes: size }, 'copy');
  session.reply(Reply.fileActionOk, 'Copy done.');
}

const users: Handler = async (session) => {
  const lines: string[] = [];
  for (const account of session.context.accounts.list()) {
    const ledger = await session.context.quota.ledger(account.name);
    lines.push(`${account.name} role=${account.role} used=${ledger.used} limit=${account.quotaLimit}`);
  }
  session.reply(Reply.ok, [`${lines.length} accounts:`, ...lines, 'End']);
};

const addUser: Handler = async (session, argument) => {
  const [name = '', password = '', limitText, extra] = argument.split(' ');
  if (password === '' || extra !== undefined) throw new FtpReplyError(Reply.argumentSyntaxError, 'Syntax: SITE ADDUSER <user> <password> [<limit>]');
  const quotaLimit = limitText === undefined ? session.context.settings.defaultQuota : parseLimit(limitText);
  await session.context.accounts.add(name, password, { role: 'user', quotaLimit }).catch(accountFailure);
  await mkdir(join(session.context.layout.storage, name), { recursive: true });
  session.context.logs.auth.info({ session: session.id, admin: session.who, user: name, quotaLimit }, 'account added');
  session.reply(Reply.ok, `Account ${name} added.`);
};

const deleteUser: Handler = async (session, argument) => {
  const name = argument.trim();
  if (name === session.identity?.name) throw new FtpReplyError(Reply.fileUnavailable, 'An administrator cannot delete their own account.');
  try {
    AccountStore.checkName(name);
    await session.context.accounts.remove(name);
  } catch (error) {
    accountFailure(error);
  }
  session.context.quota.forget(name);
  // Its open sessions end too: a deleted account must not keep working (without a quota, even).
  const ended = session.context.endSessionsOf(name, 'account deleted');
  session.context.logs.auth.info({ session: session.id, admin: session.who, user: name, sessionsEnded: ended }, 'account deleted');
  session.reply(Reply.ok, `Account ${name} deleted; its home is kept.`);
};

const setQuota: Handler = async (session, argument) => {
  const [name = '', limitText, extra] = argument.trim().split(/\s+/);
  if (extra !== undefined) throw new FtpReplyError(Reply.argumentSyntaxError, 'Syntax: SITE SETQUOTA <user> <limit>');
  const limit = parseLimit(limitText);
  await session.context.accounts.setQuota(name, limit).catch(accountFailure);
  session.context.logs.auth.info({ session: session.id, admin: session.who, user: name, limit }, 'quota set');
  session.reply(Reply.ok, `Quota of ${name} set to ${limit}.`);
};

export const SITE_COMMANDS: SiteCommandTable = {
  HELP: { login: false, argument: 'forbidden', help: '', handler: siteHelp, beforeTls: true },
  REGISTER: { login: false, argument: 'required', help: '<user> <password>', handler: register },
  QUOTA: { login: true, argument: 'forbidden', help: '', handler: quota },
  CPFR: { login: true, argument: 'required', help: '<path>', handler: copyFrom },
  CPTO: { login: true, argument: 'required', writes: true, help: '<path>', handler: copyTo },
  USERS: { login: true, admin: true, argument: 'forbidden', help: '(admin)', handler: users },
  ADDUSER: { login: true, admin: true, argument: 'required', help: '<user> <password> [<limit>] (admin)', handler: addUser },
  DELUSER: { login: true, admin: true, argument: 'required', help: '<user> (admin)', handler: deleteUser },
  SETQUOTA: { login: true, admin: true, argument: 'required', help: '<user> <limit> (admin)', handler: setQuota },
};

/** SITE <sub> [args]: dispatched through the SITE table with the same precondition order as top-level verbs, then the admin check. */
export async function handleSite(session: Session, argument: string): Promise<void> {
  const space = argument.indexOf(' ');
  const sub = (space === -1 ? argument : argument.slice(0, space)).toUpperCase();
  const rest = space === -1 ? '' : argument.slice(space + 1);
  const { siteCommands } = session.context.parts;
  const spec = Object.hasOwn(siteCommands, sub) ? siteCommands[sub] : undefined;
  const refusal = checkPreconditions(`SITE ${sub}`, spec, rest, false, {
    loggedIn: session.loggedIn,
    readOnly: session.identity?.readOnly ?? false,
    tlsRequiredButMissing: session.context.settings.requireTls && !session.tls.control,
  });
  if (refusal) {
    session.reply(refusal.code, refusal.text);
    return;
  }
  if (sub !== 'CPTO' && sub !== 'CPFR') session.copyFrom = null;
  if (spec!.admin && session.identity?.role !== 'admin') throw new FtpReplyError(Reply.fileUnavailable, 'Permission denied: administrators only.');
  await spec!.handler!(session, rest);
}

/** AVBL [path] (draft-peterson-streamlined-ftp-command-extensions): bytes the user may still store there. */
export async function handleAvbl(session: Session, argument: string): Promise<void> {
  const view = await quotaView(session, await storedPathOf(session, argument));
  session.reply(Reply.fileStatus, String(view.left));
}

/**
 * What AVBL's argument names for the quota: a file stored in that directory
 * (the current one by default), whose quota is the one that counts (for the
 * admin, that of the home it lies in).
 */
export async function storedPathOf(session: Session, argument: string): Promise<VirtualPath> {
  const identity = session.requireIdentity();
  if (identity.readOnly) throw new FtpReplyError(Reply.fileUnavailable, 'Read-only account: nothing can be stored.');
  const { virtual: path, real, close } = await session.resolvePath(argument.trim() === '' ? session.cwd : argument);
  if (!(await lstat(real).finally(close)).isDirectory()) throw new FtpReplyError(Reply.fileUnavailable, 'Not a directory.');
  return resolveVirtual(path, 'a-file');
}
