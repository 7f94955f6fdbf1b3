/**
 * The accounts clients log in as: `--accounts FILE` (one `name:password` a line),
 * `--users N` temporary accounts made through SITE ADDUSER by the profile's admin
 * and removed afterwards, or else the profile's `user` account. Clients take them
 * in turn (client i logs in as account i mod N).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseAccountFlag, TargetError, type Account, type TargetProfile } from '../target/profile.ts';
import { UsageError } from '../cli/run-command.ts';
import { StressFailure, StressSession, type SessionSettings } from './session.ts';
import { UNMEASURED } from './scenarios.ts';

/** Pure: `name:password` lines; blank lines and `#` comments ignored. */
export function parseAccountList(text: string, file: string): Account[] {
  const accounts: Account[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      accounts.push(parseAccountFlag(line, 'accounts'));
    } catch {
      throw new UsageError(`${file}:${index + 1}: an account line must look like name:password`);
    }
  });
  if (accounts.length === 0) throw new UsageError(`${file}: no account in the file`);
  return accounts;
}

export async function readAccountList(file: string): Promise<Account[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--accounts ${file}: ${(error as Error).message}`);
  }
  return parseAccountList(text, file);
}

export interface Provisioned {
  accounts: Account[];
  /** Removes the accounts made (SITE DELUSER); never throws. */
  remove(): Promise<void>;
}

const BATCH = 50;

/** Makes `count` temporary accounts through SITE ADDUSER, as the profile's admin. */
export async function provisionUsers(profile: TargetProfile, settings: SessionSettings, count: number, runId: string, capabilities: ReadonlySet<string>): Promise<Provisioned> {
  const admin = profile.accounts.admin;
  if (!admin) throw new TargetError('--users needs an admin account on the target (--admin name:password, or the profile) to run SITE ADDUSER');
  if (!capabilities.has('SITE ADDUSER')) throw new TargetError('--users needs SITE ADDUSER, which this target does not offer; give --accounts FILE instead');
  const made: Account[] = [];
  const remove = async (): Promise<void> => {
    for (let i = 0; i < made.length; i += BATCH) {
      try {
        const session = await StressSession.open(settings, UNMEASURED, 'teardown');
        await session.login(admin);
        for (const account of made.slice(i, i + BATCH)) await session.command(`SITE DELUSER ${account.name}`, [200, 250]).catch(() => {});
        await session.release();
      } catch {
        // Best effort: the report's notes name the accounts that may remain.
      }
    }
  };
  try {
    for (let i = 0; i < count; i += BATCH) {
      const session = await StressSession.open(settings, UNMEASURED, 'setup');
      try {
        await session.login(admin);
        for (let k = i; k < Math.min(count, i + BATCH); k++) {
          const account = { name: `ftpcs${runId}u${k}`, password: randomBytes(9).toString('hex') };
          await session.command(`SITE ADDUSER ${account.name} ${account.password}`, [200]);
          made.push(account);
        }
      } finally {
        await session.release();
      }
    }
  } catch (error) {
    await remove();
    const reason = error instanceof StressFailure ? error.message : (error as Error).message;
    throw new TargetError(`--users: could not make temporary accounts through SITE ADDUSER: ${reason}`);
  }
  return { accounts: made, remove };
}
