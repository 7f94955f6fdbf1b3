/**
 * Test-only: what ftp-ref does under the auth and admin faults (faults/auth.ts,
 * faults/admin.ts), kept here so the login and SITE handlers carry one-line
 * hooks only. Nothing here runs unless a test switched the fault on.
 */
import { createServer } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Jail } from '../src/vfs/jail.ts';
import type { Account } from '../src/accounts/account-store.ts';
import type { ServerContext } from '../src/server-context.ts';
import type { Identity, Session } from '../src/session.ts';

/** auth-commands-before-login: the identity a session without login falls back to. */
export async function guestIdentity(context: ServerContext): Promise<Identity> {
  return { name: 'anonymous', role: 'anonymous', readOnly: true, jail: await Jail.open(context.layout.public) };
}

/** auth-format-string-crash, auth-long-credentials-crash: true when the session died on this USER/PASS argument. */
export function crashesOnCredential(session: Session, text: string): boolean {
  const crash = (session.hasFault('auth-format-string-crash') && text.includes('%n')) || (session.hasFault('auth-long-credentials-crash') && text.length > 1024);
  if (crash) session.close('crashed on a user name or password');
  return crash;
}

/** auth-smiley-backdoor (CVE-2011-2523): a "shell" on port 6200 for a few seconds. */
export function openBackdoor(session: Session): void {
  const shell = createServer((socket) => socket.on('error', () => {}).end('uid=0(root) gid=0(root)\n'));
  shell.on('error', () => {});
  shell.listen(6200, session.context.settings.host);
  setTimeout(() => shell.close(), 5000).unref();
}

/** auth-sql-injection: a naive `WHERE name='…' AND password='…'` query made true by a tautology. */
export function sqlInjectedAccount(context: ServerContext, name: string, password: string): Account | null {
  if (!/'\s*or\s+'?1'?\s*=\s*'?1/i.test(`${name} ${password}`)) return null;
  return context.accounts.list().find((account) => account.role === 'user') ?? null;
}

/** auth-unknown-user-distinct-reply, auth-password-echoed: the text of a 530 after a failed PASS. */
export function faultyLoginIncorrect(session: Session, name: string, password: string): string {
  if (session.hasFault('auth-password-echoed')) return `Login incorrect for ${name} with password ${password}.`;
  if (session.hasFault('auth-unknown-user-distinct-reply') && !session.context.accounts.get(name)) return 'No such user.';
  return 'Login incorrect.';
}

/** admin-root-is-own-home: a home of the administrator's own, made like a user's. */
export async function ownHome(context: ServerContext, name: string): Promise<string> {
  const home = join(context.layout.storage, name);
  await mkdir(home, { recursive: true });
  return home;
}
