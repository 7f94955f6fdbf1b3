/**
 * Starts an ftp-ref in a fresh temporary data folder, in this process, for
 * tests and for ftp-check's embedded target. Accounts are made before start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, dataLayout, type Settings } from './config.ts';
import { AccountStore, type Role } from './accounts/account-store.ts';
import { FtpServer } from './server.ts';
import { silentLogs } from './logs.ts';
import type { ServerParts } from './server-parts.ts';

/**
 * A server other than the correct one: settings it starts with and parts it is
 * built from (server-parts.ts); `started` is told the running server.
 */
export interface ServerVariant {
  settings?(settings: Settings): Settings;
  parts?: ServerParts;
  started?(server: FtpServer): void;
}

export interface TempAccount {
  name: string;
  password: string;
  role?: Role;
  quotaLimit?: number;
}

export interface TempServer {
  server: FtpServer;
  host: string;
  port: number;
  dataDir: string;
  settings: Settings;
  /** Stops the server; the data folder is removed unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export const DEFAULT_TEST_ACCOUNTS: TempAccount[] = [
  { name: 'alice', password: 'alice-pw' },
  { name: 'bob', password: 'bob-pw' },
  { name: 'admin', password: 'admin-pw', role: 'admin' },
  { name: 'quota', password: 'quota-pw', quotaLimit: 1024 * 1024 },
];

export async function startTempServer(
  options: { settings?: Partial<Settings>; accounts?: TempAccount[]; dataDir?: string; fileLogs?: boolean; variant?: ServerVariant } = {},
): Promise<TempServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ftp-ref-')));
  const asked: Settings = { ...defaultSettings(), port: 0, loginFailDelay: 50, data: dataDir, ...options.settings };
  const settings = options.variant?.settings?.(asked) ?? asked;
  const store = await AccountStore.open(dataLayout(settings).accounts);
  for (const account of options.accounts ?? DEFAULT_TEST_ACCOUNTS) {
    if (!store.get(account.name)) await store.add(account.name, account.password, { role: account.role ?? 'user', quotaLimit: account.quotaLimit ?? 0 });
  }
  const server = await FtpServer.start(settings, { ...(options.fileLogs ? {} : { logs: silentLogs() }), parts: options.variant?.parts });
  options.variant?.started?.(server);
  const { host, port } = server.address();
  return {
    server,
    host,
    port,
    dataDir,
    settings,
    async stop({ keepData = false } = {}) {
      await server.stop(1000);
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
