/**
 * The default stress target: an ftp-ref in this process, on a free loopback port,
 * like `run`'s embedded target but with limits sized for load (the conformance
 * target's small limits exist to be reached by the limit cases; here they would
 * only turn a 50-client run into 421s).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer } from '../../../reference-server/src/testing/temp-server.ts';
import type { TargetProfile } from '../target/profile.ts';
import type { EmbeddedTarget } from '../target/embedded.ts';
import type { FaultName } from '../../../reference-server/src/faults/index.ts';

export const STRESS_LIMITS = { maxConnections: 5000, maxPerUser: 5000, idleTimeoutSeconds: 60, dataTimeoutSeconds: 20 };

export async function startStressTarget(options: { tls?: boolean; faults?: readonly FaultName[] } = {}): Promise<EmbeddedTarget> {
  const accounts = {
    user: { name: 'alice', password: 'alice-secret-1' },
    user2: { name: 'bob', password: 'bob-secret-2' },
    admin: { name: 'admin', password: 'admin-secret-3' },
    anonymous: { name: 'anonymous', password: 'ftp-check@example.com' },
  };
  const server = await startTempServer({
    faults: options.faults,
    settings: {
      host: '127.0.0.1',
      maxConnections: STRESS_LIMITS.maxConnections,
      maxPerUser: STRESS_LIMITS.maxPerUser,
      maxPerAddress: STRESS_LIMITS.maxConnections,
      idleTimeout: STRESS_LIMITS.idleTimeoutSeconds,
      dataTimeout: STRESS_LIMITS.dataTimeoutSeconds,
      loginFailDelay: 200,
    },
    accounts: [
      { name: accounts.user.name, password: accounts.user.password },
      { name: accounts.user2.name, password: accounts.user2.password },
      { name: accounts.admin.name, password: accounts.admin.password, role: 'admin' },
    ],
  });
  await writeFile(join(server.dataDir, 'public', 'welcome.txt'), 'Welcome to ftp-ref, the ftp-check reference server.\n');
  const profile: TargetProfile = {
    host: server.host,
    port: server.port,
    tls: options.tls ?? false,
    accounts,
    capabilities: { add: [], remove: [] },
    limits: STRESS_LIMITS,
    serverPaths: [server.dataDir],
    anonymousFile: '/welcome.txt',
    name: `embedded ftp-ref (${server.host}:${server.port})`,
  };
  return { profile, stop: () => server.stop() };
}
