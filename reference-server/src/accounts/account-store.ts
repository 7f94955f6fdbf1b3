/**
 * Named accounts in one JSON file, written atomically (temp file + rename) and
 * re-read when another process (the `ftp-ref user` command) changed it. Every
 * change is a read-change-write under one lock shared by all processes, so
 * none is lost when the server and the command change the file at once.
 */
import { readFile, readdir, rename, stat, writeFile, mkdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { withFileLock } from './file-lock.ts';
import { DECOY_HASH_PROMISE, hashPassword } from './password-hash.ts';
import { VerifiedLogins } from './verified-logins.ts';
import { ScryptGate } from './scrypt-gate.ts';

export type Role = 'user' | 'admin';

export interface Account {
  name: string;
  role: Role;
  passwordHash: string;
  /** Bytes the account may store in its home; 0 means no limit. */
  quotaLimit: number;
  createdAt: string;
}

/** protocol.md: `[a-z0-9_][a-z0-9_.-]{0,31}`. */
export const ACCOUNT_NAME_PATTERN = /^[a-z0-9_][a-z0-9_.-]{0,31}$/;
/** Names that always mean something else (anonymous logins) and can never be an account. */
export const ANONYMOUS_NAMES = new Set(['anonymous', 'ftp']);
/** Names that self-registration refuses, so nobody can pose as the operator. */
export const RESERVED_FOR_REGISTRATION = new Set(['admin', 'administrator', 'root', 'anonymous', 'ftp', 'public', 'system', 'daemon', 'nobody']);

export class AccountError extends Error {
  constructor(
    readonly reason: 'invalid-name' | 'taken' | 'reserved' | 'unknown' | 'last-admin',
    message: string,
  ) {
    super(message);
  }
}

interface AccountsFile {
  version: 1;
  accounts: Account[];
}

export class AccountStore {
  private accounts = new Map<string, Account>();
  /**
   * Which version of the file is in memory: inode, size and mtime. Every write
   * renames a new file into place, so the inode changes even when two writes
   * fall in the same tick of a coarse file clock.
   */
  private loadedVersion = '';
  private writing: Promise<void> = Promise.resolve();
  private readonly verified = new VerifiedLogins();
  private readonly scrypts = new ScryptGate();

  protected constructor(readonly file: string) {}

  static async open(file: string): Promise<AccountStore> {
    const store = new this(file);
    await mkdir(dirname(file), { recursive: true });
    // On a full disk not even the lock can be made; the server must start anyway (nothing can be written then).
    await withFileLock(store.lockFile, () => store.removeTemporaryFiles()).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOSPC' && error.code !== 'EDQUOT') throw error;
    });
    await store.refresh();
    return store;
  }

  private get lockFile(): string {
    return `${this.file}.lock`;
  }

  /** Called holding the lock: every temporary file then is one a crash left behind. */
  private async removeTemporaryFiles(): Promise<void> {
    const prefix = `${basename(this.file)}.`;
    for (const name of await readdir(dirname(this.file))) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) await unlink(join(dirname(this.file), name)).catch(() => {});
    }
  }

  /** Re-reads the file when its modification time changed since the last read. */
  async refresh(): Promise<void> {
    const startedFrom = this.loadedVersion;
    const version = await this.fileVersion();
    if (version === null || version === this.loadedVersion) return;
    const parsed = JSON.parse(await readFile(this.file, 'utf8')) as AccountsFile;
    if (parsed.version !== 1 || !Array.isArray(parsed.accounts)) throw new Error(`${this.file}: not an ftp-ref accounts file`);
    // A write may have replaced the file, or another refresh loaded it, while it
    // was read: then what was read is old and must not replace what is in memory.
    if ((await this.fileVersion()) !== version || this.loadedVersion !== startedFrom) return;
    this.accounts = new Map(parsed.accounts.map((account) => [account.name, account]));
    this.loadedVersion = version;
  }

  private async fileVersion(): Promise<string | null> {
    try {
      const info = await stat(this.file);
      return `${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  list(): Account[] {
    return [...this.accounts.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): Account | undefined {
    return this.accounts.get(name);
  }

  /** Refuses a name no new account may have (AccountError 'invalid-name'). */
  protected checkNewName(name: string): void {
    AccountStore.checkName(name);
  }

  static checkName(name: string): void {
    if (!ACCOUNT_NAME_PATTERN.test(name) || ANONYMOUS_NAMES.has(name)) {
      throw new AccountError('invalid-name', `invalid account name (allowed: ${ACCOUNT_NAME_PATTERN.source}, not anonymous/ftp)`);
    }
  }

  /**
   * `unusedHome`: the name is also taken while this folder exists (the kept home
   * of a deleted account never passes to a stranger); it is made once the
   * account is written, so a crash in between leaves an account, not a home.
   */
  async add(name: string, password: string, options: { role?: Role; quotaLimit?: number; unusedHome?: string } = {}): Promise<Account> {
    this.checkNewName(name);
    const passwordHash = await hashPassword(password);
    const { unusedHome } = options;
    const account = await this.mutate(async () => {
      if (this.accounts.has(name)) throw new AccountError('taken', `account ${name} exists`);
      if (unusedHome && (await stat(unusedHome).catch(() => null))) throw new AccountError('taken', `the name ${name} is taken`);
      const account: Account = {
        name,
        role: options.role ?? 'user',
        passwordHash,
        quotaLimit: options.quotaLimit ?? 0,
        createdAt: new Date().toISOString(),
      };
      this.accounts.set(name, account);
      return account;
    });
    if (unusedHome) await mkdir(unusedHome, { recursive: true });
    return account;
  }

  async remove(name: string): Promise<void> {
    await this.mutate(() => {
      if (!this.accounts.delete(name)) throw new AccountError('unknown', `no account ${name}`);
    });
  }

  async setPassword(name: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.mutate(() => {
      this.require(name).passwordHash = passwordHash;
    });
  }

  async setQuota(name: string, quotaLimit: number): Promise<void> {
    await this.mutate(() => {
      this.require(name).quotaLimit = quotaLimit;
    });
  }

  /** The account when the password is right, else null; an unknown name costs the same hash as a known one. */
  async verify(name: string, password: string): Promise<Account | null> {
    await this.refresh();
    const account = this.accounts.get(name);
    if (account && this.verified.recall(name, password, account.passwordHash)) return account;
    const stored = account?.passwordHash ?? (await DECOY_HASH_PROMISE);
    const ok = await this.scrypts.verify(name, password, stored);
    if (ok && account) this.verified.remember(name, password, account.passwordHash);
    return ok && account ? account : null;
  }

  private require(name: string): Account {
    const account = this.accounts.get(name);
    if (!account) throw new AccountError('unknown', `no account ${name}`);
    return account;
  }

  /** Applies a change to the freshest copy and writes it atomically, holding the lock all processes share. */
  private mutate<T>(change: () => T | Promise<T>): Promise<T> {
    const run = this.writing.then(() =>
      withFileLock(this.lockFile, async () => {
        await this.refresh();
        const result = await change();
        try {
          await this.write();
        } catch (error) {
          // Not written (a full disk): what is in memory goes back to what the file holds.
          this.loadedVersion = '';
          await this.refresh().catch(() => {});
          throw error;
        }
        return result;
      }),
    );
    this.writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async write(): Promise<void> {
    const body: AccountsFile = { version: 1, accounts: this.list() };
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
      await rename(temporary, this.file);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
    this.loadedVersion = (await this.fileVersion()) ?? '';
  }
}
