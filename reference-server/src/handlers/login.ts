/** USER, PASS, ACCT, REIN, QUIT: logging in and out (RFC 959 §4.1.1). */
import { Reply } from '../protocol/replies.ts';
import { ANONYMOUS_NAMES } from '../accounts/account-store.ts';
import { VIRTUAL_ROOT } from '../vfs/virtual-path.ts';
import { LoginBrake } from '../login-brake.ts';
import { unknownUserName } from '../logs.ts';
import { identify } from '../authenticator.ts';
import type { Session } from '../session.ts';

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
  // A new USER at any point starts a new login (RFC 959 §4.1.1); the old rights end now.
  if (session.identity) logout(session);
  session.pendingUser = name;
  if (ANONYMOUS_NAMES.has(name.toLowerCase())) session.reply(Reply.needPassword, 'Anonymous login ok, send your e-mail address as password.');
  else session.reply(Reply.needPassword, 'Please specify the password.');
}

export async function handlePass(session: Session, password: string): Promise<void> {
  const { context } = session;
  const name = session.pendingUser;
  if (session.identity) {
    session.reply(Reply.superfluous, 'Already logged in.');
    return;
  }
  if (name === null) {
    session.reply(Reply.badSequence, 'Login with USER first.');
    return;
  }
  session.pendingUser = null;
  const identity = await identify(context, name, password);
  // Only a name that is an account is logged or counted as itself: anything else may be a password typed as the name.
  const account = context.accounts.get(name) ? name : null;
  const brakeKeys = LoginBrake.keys(session.remoteAddress, account);
  if (!identity) {
    session.loginFailures++;
    const brake = context.loginBrake.fail(brakeKeys);
    const shown = account !== null || ANONYMOUS_NAMES.has(name.toLowerCase());
    const who = shown ? { user: name } : { unknownUser: unknownUserName(name) };
    context.logs.auth.warn({ session: session.id, remote: session.remoteAddress, ...who, failures: session.loginFailures, recentFailures: brake.recentFailures, delayMs: brake.waitMs }, 'login failed');
    await new Promise((resolve) => setTimeout(resolve, brake.waitMs));
    if (session.loginFailures >= context.settings.maxLoginFailures) {
      session.replyAndClose(Reply.serviceNotAvailable, 'Too many failed logins; closing connection.', 'too many failed logins');
    } else {
      session.reply(Reply.notLoggedIn, 'Login incorrect.');
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

export function handleAcct(session: Session): void {
  session.reply(Reply.superfluous, 'ACCT not needed on this server.');
}

export function handleRein(session: Session): void {
  logout(session);
  session.reply(Reply.serviceReady, 'Ready for a new user.');
}

export function handleQuit(session: Session): void {
  session.replyAndClose(Reply.closingControl, 'Goodbye.', 'QUIT');
}
