/**
 * Who a login is (protocol.md): anonymous is read-only in the public folder, a
 * user is confined to their own home, the administrator to the storage root
 * that holds every home. One function per kind of login, so each can be read,
 * and swapped (server-parts.ts), on its own.
 */
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { ANONYMOUS_NAMES, type Account } from './accounts/account-store.ts';
import type { Identity } from './session.ts';
import type { ServerContext } from './server-context.ts';

export interface Authenticator {
  /** The account these credentials open, or null. */
  verify(context: ServerContext, name: string, password: string): Promise<Account | null>;
  anonymous(context: ServerContext): Promise<Identity>;
  user(context: ServerContext, account: Account): Promise<Identity>;
  admin(context: ServerContext, account: Account): Promise<Identity>;
}

export const AUTHENTICATOR: Authenticator = {
  verify: (context, name, password) => context.accounts.verify(name, password),
  anonymous: async (context) => ({ name: 'anonymous', role: 'anonymous', readOnly: true, jail: await context.parts.openJail(context.layout.public, 'anonymous') }),
  async user(context, account) {
    const home = join(context.layout.storage, account.name);
    // Made on the first login; a stat in place is cheaper than mkdir through the pool on every login.
    if (!statSync(home, { throwIfNoEntry: false })?.isDirectory()) await mkdir(home, { recursive: true });
    return { name: account.name, role: 'user', readOnly: false, jail: await context.parts.openJail(home, 'user') };
  },
  admin: async (context, account) => ({ name: account.name, role: 'admin', readOnly: false, jail: await context.parts.openJail(context.layout.storage, 'admin') }),
};

/** Who `name` with `password` logs in as, or null; anonymous only where the server allows it. */
export async function identify(context: ServerContext, name: string, password: string): Promise<Identity | null> {
  const { authenticator } = context.parts;
  if (ANONYMOUS_NAMES.has(name.toLowerCase())) return context.settings.anonymous ? authenticator.anonymous(context) : null;
  const account = await authenticator.verify(context, name, password);
  if (!account) return null;
  return account.role === 'admin' ? authenticator.admin(context, account) : authenticator.user(context, account);
}
