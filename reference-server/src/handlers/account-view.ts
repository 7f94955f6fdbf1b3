/** What a user may see of their own account (lab C): login, role, home, current directory, quota used and left. */
import { statfs } from 'node:fs/promises';
import { measureUsage } from '../quota.ts';
import { ledgerFor } from './quota-scope.ts';
import { VIRTUAL_ROOT, type VirtualPath } from '../vfs/virtual-path.ts';
import type { Session } from '../session.ts';

export interface QuotaView {
  used: number;
  /** 0: no limit. */
  limit: number;
  /** Bytes the session may still store at `path`: the quota left, bounded by the free disk space. */
  left: number;
}

export async function quotaView(session: Session, path: VirtualPath = VIRTUAL_ROOT): Promise<QuotaView> {
  const identity = session.requireIdentity();
  const disk = await statfs(session.context.layout.storage);
  const free = Number(disk.bavail) * Number(disk.bsize);
  if (identity.role === 'anonymous') return { used: 0, limit: 0, left: 0 };
  const ledger = await ledgerFor(session, path);
  if (!ledger) return { used: await measureUsage(session.context.layout.storage), limit: 0, left: free };
  return { used: ledger.used, limit: ledger.limit, left: Math.min(free, ledger.available()) };
}

export async function accountSummary(session: Session): Promise<string[]> {
  const identity = session.requireIdentity();
  const quota = await quotaView(session);
  return [
    `Logged in as ${identity.name} (role ${identity.role}${identity.readOnly ? ', read-only' : ''})`,
    `Home: / (all you can reach)`,
    `Current directory: ${session.cwd}`,
    `Quota: used=${quota.used} limit=${quota.limit} left=${quota.left}`,
  ];
}
