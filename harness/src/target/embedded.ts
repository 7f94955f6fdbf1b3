/**
 * The default target: an ftp-ref started in this process on a free loopback
 * port, in a temporary folder, with an account for every role, small limits
 * the limit cases can reach, and a file for anonymous to read.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer, type ServerVariant, type TempServer } from '../../../reference-server/src/temp-server.ts';
import type { TargetLimits, TargetProfile } from './profile.ts';

/**
 * Short timers, because the cases that check them wait them out (they read them from the profile): the data
 * timeout stays above the longest pause of any case's data connection (1 s), the idle timeout above
 * robustness.unused-passive-port-closed's silent wait of data timeout + 1 s (or the session, not the port,
 * would be closed). maxPerUser leaves the run's session budget (this less 2) room for the cases that run at once
 * (the waiting ones hold about 30 sessions at the start), below maxConnections so that another user still fits.
 */
export const EMBEDDED_LIMITS = { maxConnections: 48, maxPerUser: 40, idleTimeoutSeconds: 5, dataTimeoutSeconds: 2 };
export const EMBEDDED_QUOTA = 1024 * 1024;

export interface EmbeddedTarget {
  profile: TargetProfile;
  stop(): Promise<void>;
}

/**
 * `limits` default to EMBEDDED_LIMITS (stress sizes them for load). `variant` is
 * for ftp-check's own tests: a deliberately broken ftp-ref (never set by the CLI).
 */
export async function startEmbeddedTarget(options: { tls?: boolean; variant?: ServerVariant; limits?: Required<TargetLimits> } = {}): Promise<EmbeddedTarget> {
  const limits = options.limits ?? EMBEDDED_LIMITS;
  const accounts = {
    user: { name: 'alice', password: 'alice-secret-1' },
    user2: { name: 'bob', password: 'bob-secret-2' },
    admin: { name: 'admin', password: 'admin-secret-3' },
    quota: { name: 'carol', password: 'carol-secret-4', limit: EMBEDDED_QUOTA },
    anonymous: { name: 'anonymous', password: 'ftp-check@example.com' },
  };
  const server: TempServer = await startTempServer({
    variant: options.variant,
    settings: {
      host: '127.0.0.1',
      registration: true,
      maxConnections: limits.maxConnections,
      maxPerUser: limits.maxPerUser,
      maxPerAddress: limits.maxConnections,
      idleTimeout: limits.idleTimeoutSeconds,
      dataTimeout: limits.dataTimeoutSeconds,
      loginFailDelay: 50, // the brake still doubles, triples… per failure; the cases check that it is there, not its size
      maxLoginFailures: 3,
    },
    accounts: [
      { name: accounts.user.name, password: accounts.user.password },
      { name: accounts.user2.name, password: accounts.user2.password },
      { name: accounts.admin.name, password: accounts.admin.password, role: 'admin' },
      { name: accounts.quota.name, password: accounts.quota.password, quotaLimit: EMBEDDED_QUOTA },
    ],
  });
  await writeFile(join(server.dataDir, 'public', 'welcome.txt'), 'Welcome to ftp-ref, the ftp-check reference server.\n');
  return {
    profile: {
      host: server.host,
      port: server.port,
      tls: options.tls ?? false,
      accounts,
      capabilities: { add: [], remove: [] },
      limits,
      serverPaths: [server.dataDir],
      anonymousFile: '/welcome.txt',
      name: `embedded ftp-ref (${server.host}:${server.port})`,
    },
    stop: () => server.stop(),
  };
}
