/**
 * Which home's quota a virtual path counts against: a user's own home; for the
 * admin (whose root holds every home) the home named by the path's first
 * segment; nothing for anonymous or for files at the top of the storage root.
 */
import type { QuotaLedger } from '../quota.ts';
import type { VirtualPath } from '../vfs/virtual-path.ts';
import type { Session } from '../session.ts';

export function homeOf(session: Session, path: VirtualPath): string | null {
  const identity = session.identity;
  if (!identity || identity.role === 'anonymous') return null;
  if (identity.role === 'user') return identity.name;
  const segments = path.split('/').filter(Boolean);
  return segments.length >= 2 ? (segments[0] as string) : null;
}

/** The ledger of the home `path` lies in (the server's own choice of ledger, server-parts.ts). */
export async function homeLedger(session: Session, path: VirtualPath): Promise<QuotaLedger | null> {
  const home = homeOf(session, path);
  return home === null ? null : session.context.quota.ledger(home);
}

/** The ledger a change to `path` counts against, as the server's parts choose it. */
export function ledgerFor(session: Session, path: VirtualPath): Promise<QuotaLedger | null> {
  return session.context.parts.quotaLedger(session, path);
}
