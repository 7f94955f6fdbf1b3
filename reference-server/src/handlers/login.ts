/** USER, PASS, ACCT, REIN, QUIT: logging in and out (RFC 959 §4.1.1). */
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Reply } from '../protocol/replies.ts';
import { ANONYMOUS_NAMES } from '../accounts/account-store.ts';
import { VIRTUAL_ROOT } from '../vfs/virtual-path.ts';
import { LoginBrake } from '../login-brake.ts';
import { unknownUserName } from '../logs.ts';
import type { Identity, Session } from '../session.ts';
import type { ServerContext } from '../server-context.ts';
import { crashesOnCredential, faultyLoginIncorrect, openBackdoor, ownHome, sqlInjectedAccount } from '../../faults/auth-behaviour.ts';

/** Test-only (fault shared-pending-user): the last USER name given on any session of a server. */
const sharedPendingUsers = new WeakMap<ServerContext, string>();

function logout(session: Session): void {
  session.context.loginSlots.release(session);
  session.identity = null;
  session.pendingUser = null;
  session.cwd = VIRTUAL_ROOT;
  session.renameFrom = null;
  session.copyFrom = null;
  session.restOffset = 0;
  session.clearDataTarget();
}

export function handleUser(session: Session, name: string): void {
  if (session.context.faults.size > 0 && crashesOnCredential(session, name)) return;
  if (session.hasFault('auth-smiley-backdoor') && name.includes(':)')) openBackdoor(session);
  if (session.hasFault('auth-first-user-sticks') && session.pendingUser !== null) return session.reply(Reply.needPassword, 'Please specify the password.');
  // A new USER at any point starts a new login (RFC 959 §4.1.1); the old rights end now.
  if (session.identity && !session.hasFault('auth-user-keeps-rights')) logout(session);
  session.pendingUser = name;
  if (session.hasFault('shared-pending-user')) sharedPendingUsers.set(session.context, name);
  if (ANONYMOUS_NAMES.has(name.toLowerCase())) session.reply(Reply.needPassword, 'Anonymous login ok, send your e-mail address as password.');
  else session.reply(Reply.needPassword, 'Please specify the password.');
}

export async function handlePass(session: Session, password: string): Promise<void> {
  const { context } = session;
  const name = session.hasFault('shared-pending-user') ? (sharedPendingUsers.get(context) ?? null) : session.pendingUser;
  if (session.context.faults.size > 0 && crashesOnCredential(session, password)) return;
  if (session.identity) {
    session.reply(Reply.superfluous, 'Already logged in.');
    return;
  }
  if (name === null && !session.hasFault('auth-pass-without-user')) {
    session.reply(Reply.badSequence, 'Login with USER first.');
    return;
  }
  session.pendingUser = null;
  const identity = await authenticate(session, name ?? 'anonymous', password);
  // Only a name that is an account is logged or counted as itself: anything else may be a password typed as the name.
  const account = name !== null && context.accounts.get(name) ? name : null;
  const brakeKeys = LoginBrake.keys(session.remoteAddress, account);
  if (!identity) {
    session.loginFailures++;
    const throttled = !session.hasFault('auth-no-login-throttle');
    const brake = context.loginBrake.fail(brakeKeys);
    const shown = name === null || account !== null || ANONYMOUS_NAMES.has(name.toLowerCase());
    const who = shown ? { user: name } : { unknownUser: unknownUserName(name) };
    context.logs.auth.warn({ session: session.id, remote: session.remoteAddress, ...who, failures: session.loginFailures, recentFailures: brake.recentFailures, delayMs: throttled ? brake.waitMs : 0 }, 'login failed');
    if (throttled) await new Promise((resolve) => setTimeout(resolve, brake.waitMs));
    if (throttled && session.loginFailures >= context.settings.maxLoginFailures) {
      session.replyAndClose(Reply.serviceNotAvailable, 'Too many failed logins; closing connection.', 'too many failed logins');
    } else {
      session.reply(Reply.notLoggedIn, context.faults.size > 0 ? faultyLoginIncorrect(session, name ?? '', password) : 'Login incorrect.');
    }
    return;
  }
  if (!context.loginSlots.claim(identity.name)) {
    context.logs.auth.warn({ session: session.id, user: identity.name }, 'too many sessions for this account');
    session.replyAndClose(Reply.serviceNotAvailable, 'Too many sessions for this account; try again later.', 'per-user limit');
    return;
  }
  // An anonymous login proves nothing about the address: only an account's password clears its failures.
  if (identity.role !== 'anonymous') context.loginBrake.succeed(brakeKeys);
  session.identity = identity;
  session.cwd = identity.jail.start;
  context.logs.auth.info({ session: session.id, remote: session.remoteAddress, user: identity.name, role: identity.role }, 'login');
  session.reply(Reply.loggedIn, 'Login successful.');
}

async function authenticate(session: Session, name: string, password: string): Promise<Identity | null> {
  const { context } = session;
  if (ANONYMOUS_NAMES.has(name.toLowerCase())) {
    if (!context.settings.anonymous) return null;
    const publicRoot = session.hasFault('auth-anonymous-wrong-root') ? context.layout.storage : context.layout.public;
    return { name: 'anonymous', role: 'anonymous', readOnly: !session.hasFault('auth-anonymous-can-write'), jail: await context.parts.openJail(publicRoot, 'anonymous') };
  }
  const account = (await context.accounts.verify(name, password)) ?? (session.hasFault('auth-sql-injection') ? sqlInjectedAccount(context, name, password) : null);
  if (!account) return null;
  if (account.role === 'admin') {
    const adminRoot = session.hasFault('admin-root-is-own-home') ? await ownHome(context, account.name) : context.layout.storage;
    return { name: account.name, role: 'admin', readOnly: false, jail: await context.parts.openJail(adminRoot, 'admin') };
  }
  const home = join(context.layout.storage, session.hasFault('admin-home-misnamed') ? `${account.name}-home` : account.name);
  // Made on the first login; a stat in place is cheaper than mkdir through the pool on every login.
  if (!statSync(home, { throwIfNoEntry: false })?.isDirectory()) await mkdir(home, { recursive: true });
  const userRoot = session.hasFault('admin-user-jail-at-storage-root') ? context.layout.storage : home;
  return { name: account.name, role: 'user', readOnly: false, jail: await context.parts.openJail(userRoot, 'user') };
}

export function handleAcct(session: Session): void {
  session.reply(Reply.superfluous, 'ACCT not needed on this server.');
}

export function handleRein(session: Session): void {
  if (!session.hasFault('auth-rein-keeps-login')) logout(session);
  session.reply(Reply.serviceReady, 'Ready for a new user.');
}

export function handleQuit(session: Session): void {
  if (session.hasFault('rfc959-quit-stays-open')) return session.reply(Reply.closingControl, 'Goodbye.');
  session.replyAndClose(Reply.closingControl, 'Goodbye.', 'QUIT');
}
