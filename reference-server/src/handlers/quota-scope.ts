/**
 * Which home's quota a virtual path counts against: a user's own home; for the
 * admin (whose root holds every home) the home named by the path's first
 * segment; nothing for anonymous or for files at the top of the storage root.
 */
import { join } from 'node:path';
import { QuotaLedger, measureUsage } from '../quota.ts';
import type { VirtualPath } from '../vfs/virtual-path.ts';
import type { Session } from '../session.ts';

export function homeOf(session: Session, path: VirtualPath): string | null {
  const identity = session.identity;
  if (!identity || identity.role === 'anonymous') return null;
  if (identity.role === 'user') return identity.name;
  const segments = path.split('/').filter(Boolean);
  return segments.length >= 2 ? (segments[0] as string) : null;
}

export async function ledgerFor(session: Session, path: VirtualPath): Promise<QuotaLedger | null> {
  const home = homeOf(session, path);
  if (home !== null && session.hasFault('quota-per-session')) return sessionLedger(session, home);
  return home === null ? null : session.context.quota.ledger(home);
}

/** Test-only fault 'quota-per-session' (faults/quota.ts): a ledger of the session's own, measured when first needed. */
const sessionLedgers = new WeakMap<Session, QuotaLedger>();

async function sessionLedger(session: Session, home: string): Promise<QuotaLedger> {
  let ledger = sessionLedgers.get(session);
  if (!ledger) {
    const shared = await session.context.quota.ledger(home);
    ledger = new QuotaLedger(home, await measureUsage(join(session.context.layout.storage, home)), () => shared.limit);
    sessionLedgers.set(session, ledger);
  }
  return ledger;
}
