/** Faults of USER, PASS, REIN, QUIT and of who a login is (src/handlers/login.ts, src/authenticator.ts). */
import { createServer } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Reply } from '../../src/protocol/replies.ts';
import type { Handler } from '../../src/protocol/command-spec.ts';
import type { Authenticator } from '../../src/authenticator.ts';
import type { Account } from '../../src/accounts/account-store.ts';
import type { ServerContext } from '../../src/server-context.ts';
import type { Identity, Session } from '../../src/session.ts';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';
import { rewritingReplies, withHandlers } from '../compose.ts';

/** The top-level `verbs` with their handlers wrapped. */
function handlers(verbs: readonly string[], wrap: (inner: Handler, verb: string) => Handler): FaultPart {
  return { parts: (parts) => withHandlers(parts, verbs, wrap) };
}

/** The authenticator with the functions `change` returns in place of the ones it had. */
function authenticator(change: (inner: Authenticator) => Partial<Authenticator>): FaultPart {
  return { parts: (parts) => ({ ...parts, authenticator: { ...parts.authenticator, ...change(parts.authenticator) } }) };
}

/** A USER or PASS that kills the session when `crashes(argument)`, as a C server dies on a bad buffer. */
function crashingOn(crashes: (argument: string) => boolean): FaultPart {
  return handlers(['USER', 'PASS'], (inner) => (session, argument) => (crashes(argument) ? session.close('crashed on a user name or password') : inner(session, argument)));
}

/** A PASS whose 530 says `text(…)` instead of the one "Login incorrect." for every failure. */
function loginIncorrect(text: (session: Session, name: string, password: string) => string): FaultPart {
  return handlers(['PASS'], (inner) => (session, password) => {
    const name = session.pendingUser ?? '';
    return rewritingReplies(inner, (reply) => (reply.code === Reply.notLoggedIn ? { code: reply.code, text: text(session, name, password) } : reply))(session, password);
  });
}

/** The identity of a session that never logged in, for a server that lets commands run before login. */
export async function guestIdentity(context: ServerContext): Promise<Identity> {
  return { name: 'anonymous', role: 'anonymous', readOnly: true, jail: await context.parts.openJail(context.layout.public, 'anonymous') };
}

/** The vsftpd 2.3.4 backdoor (CVE-2011-2523): a "shell" on port 6200 for a few seconds. */
function openBackdoor(session: Session): void {
  const shell = createServer((socket) => socket.on('error', () => {}).end('uid=0(root) gid=0(root)\n'));
  shell.on('error', () => {});
  shell.listen(6200, session.context.settings.host);
  setTimeout(() => shell.close(), 5000).unref();
}

/** A naive `WHERE name='…' AND password='…'` query, made true by a tautology: the first account it finds. */
function sqlInjectedAccount(context: ServerContext, name: string, password: string): Account | null {
  if (!/'\s*or\s+'?1'?\s*=\s*'?1/i.test(`${name} ${password}`)) return null;
  return context.accounts.list().find((account) => account.role === 'user') ?? null;
}

/** A jail at `folder` under the storage root, made if missing. */
async function jailAtFolder(context: ServerContext, folder: string, role: Identity['role']): Promise<Identity['jail']> {
  const root = join(context.layout.storage, folder);
  await mkdir(root, { recursive: true });
  return context.parts.openJail(root, role);
}

/** The last USER name given on any session of a server: one variable for the pending name, not one per session. */
const sharedPendingUsers = new WeakMap<ServerContext, string>();

const UNLIMITED = Number.MAX_SAFE_INTEGER;

export const LOGIN_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  'auth-format-string-crash': crashingOn((argument) => argument.includes('%n')),
  'auth-long-credentials-crash': crashingOn((argument) => argument.length > 1024),
  'auth-smiley-backdoor': handlers(['USER'], (inner) => (session, name) => {
    if (name.includes(':)')) openBackdoor(session);
    return inner(session, name);
  }),
  // The name is noted once: a later USER only asks for the password again.
  'auth-first-user-sticks': handlers(['USER'], (inner) => (session, name) => (session.pendingUser === null ? inner(session, name) : session.reply(Reply.needPassword, 'Please specify the password.'))),
  // A USER that only notes the name, the login in force left as it is.
  'auth-user-keeps-rights': handlers(['USER'], (inner) => (session, name) => {
    if (!session.identity) return inner(session, name);
    session.pendingUser = name;
    session.reply(Reply.needPassword, 'Please specify the password.');
  }),
  'shared-pending-user': handlers(['USER', 'PASS'], (inner, verb) =>
    verb === 'USER'
      ? (session, name) => {
          sharedPendingUsers.set(session.context, name);
          return inner(session, name);
        }
      : (session, password) => {
          session.pendingUser = sharedPendingUsers.get(session.context) ?? null;
          return inner(session, password);
        },
  ),
  'auth-pass-without-user': handlers(['PASS'], (inner) => (session, password) => {
    if (session.pendingUser === null && !session.identity) session.pendingUser = 'anonymous';
    return inner(session, password);
  }),
  // No brake: no delay after a failure, and no count of failures that ends the connection.
  'auth-no-login-throttle': { settings: (settings) => ({ ...settings, loginFailDelay: 0, maxLoginFailures: UNLIMITED }) },
  'auth-password-echoed': loginIncorrect((_session, name, password) => `Login incorrect for ${name} with password ${password}.`),
  'auth-unknown-user-distinct-reply': loginIncorrect((session, name) => (session.context.accounts.get(name) ? 'Login incorrect.' : 'No such user.')),
  'auth-sql-injection': authenticator((inner) => ({ verify: async (context, name, password) => (await inner.verify(context, name, password)) ?? sqlInjectedAccount(context, name, password) })),
  'auth-anonymous-can-write': authenticator((inner) => ({ anonymous: async (context) => ({ ...(await inner.anonymous(context)), readOnly: false }) })),
  'auth-anonymous-wrong-root': authenticator(() => ({ anonymous: async (context) => ({ name: 'anonymous', role: 'anonymous', readOnly: true, jail: await context.parts.openJail(context.layout.storage, 'anonymous') }) })),
  'admin-root-is-own-home': authenticator(() => ({ admin: async (context, account) => ({ name: account.name, role: 'admin', readOnly: false, jail: await jailAtFolder(context, account.name, 'admin') }) })),
  'admin-home-misnamed': authenticator(() => ({ user: async (context, account) => ({ name: account.name, role: 'user', readOnly: false, jail: await jailAtFolder(context, `${account.name}-home`, 'user') }) })),
  'admin-user-jail-at-storage-root': authenticator((inner) => ({ user: async (context, account) => ({ ...(await inner.user(context, account)), jail: await context.parts.openJail(context.layout.storage, 'user') }) })),
  // REIN answers, and forgets to log out.
  'auth-rein-keeps-login': handlers(['REIN'], () => (session) => session.reply(Reply.serviceReady, 'Ready for a new user.')),
  // QUIT answers, and forgets to close.
  'rfc959-quit-stays-open': handlers(['QUIT'], () => (session) => session.reply(Reply.closingControl, 'Goodbye.')),
};
