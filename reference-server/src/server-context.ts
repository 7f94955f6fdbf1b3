/**
 * What every session shares: settings, where files live, accounts, logs,
 * quota ledgers, TLS and the per-account session counts.
 */
import type { SecureContext } from 'node:tls';
import type { Settings, DataLayout } from './config.ts';
import type { AccountStore } from './accounts/account-store.ts';
import type { Logs } from './logs.ts';
import type { QuotaBook } from './quota.ts';
import type { LoginBrake } from './login-brake.ts';
import type { LoginSlots } from './login-slots.ts';
import type { ServerParts } from './server-parts.ts';

export interface TlsProvider {
  secureContext(): SecureContext;
}

export interface ServerContext {
  settings: Settings;
  layout: DataLayout;
  accounts: AccountStore;
  logs: Logs;
  quota: QuotaBook;
  tls: TlsProvider | null;
  /** Sessions per account. */
  loginSlots: LoginSlots;
  /** What the server is built from (server-parts.ts). */
  parts: ServerParts;
  /** Failed logins per address and account, across connections. */
  loginBrake: LoginBrake;
  /** Ends every session of an account (used when the account is deleted); returns how many ended. */
  endSessionsOf(name: string, reason: string): number;
}
