/** Sessions per account (maxPerUser): claimed at login, released at logout or close. */
import type { ServerContext } from './server-context.ts';

export function claimLogin(context: ServerContext, name: string): boolean {
  const count = context.sessionsPerUser.get(name) ?? 0;
  if (count >= context.settings.maxPerUser) return false;
  context.sessionsPerUser.set(name, count + 1);
  return true;
}

export function releaseLogin(context: ServerContext, session: { identity: { name: string } | null }): void {
  if (context.faults.has('auth-login-slot-leak')) return;
  const name = session.identity?.name;
  if (!name) return;
  const count = (context.sessionsPerUser.get(name) ?? 1) - 1;
  if (count <= 0) context.sessionsPerUser.delete(name);
  else context.sessionsPerUser.set(name, count);
}
