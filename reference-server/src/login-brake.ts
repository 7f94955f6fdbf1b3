/**
 * Failed logins slow down across connections, not only within one (the idea
 * of pure-ftpd's and proftpd mod_ban's brakes): failures are counted per
 * client address and per account, and each failure's reply waits
 * loginFailDelay times the larger count. Failures on one key are answered one
 * after another, so opening more connections does not buy more guesses. Only
 * failures wait: the right password is never slowed, so nobody can lock an
 * account out by failing against it.
 */

/** A key with no failure for this long is forgotten. */
const FORGET_AFTER_MS = 10 * 60 * 1000;
/** The longest wait of one failure, in units of the base delay. */
const MAX_FACTOR = 20;
/** Keys kept at most (addresses and accounts); the quietest go first. */
const MAX_KEYS = 10_000;

interface FailureRecord {
  failures: number;
  lastAt: number;
  /** When the last failure on this key gets its reply; the next one waits behind it. */
  busyUntil: number;
  /** An address's failures by the account they were against ('' for a name that is no account). */
  against: Map<string, number>;
}

/** Who an attempt came from and, when its name is an account, which one. */
export interface BrakeKeys {
  address: string;
  account: string | null;
}

export interface BrakeDecision {
  /** How long the reply to this failure waits, in milliseconds. */
  waitMs: number;
  /** Recent failures on the busiest of the keys, this one included. */
  recentFailures: number;
}

export class LoginBrake {
  private readonly records = new Map<string, FailureRecord>();

  constructor(
    private readonly baseDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  static keys(address: string, account: string | null): BrakeKeys {
    return { address, account };
  }

  /** Counts a failure on the address and the account and says how long its reply must wait. */
  fail({ address, account }: BrakeKeys): BrakeDecision {
    const now = this.now();
    const records = [this.take(`address ${address}`, now), ...(account === null ? [] : [this.take(`account ${account}`, now)])];
    const target = account ?? '';
    records[0]!.against.set(target, (records[0]!.against.get(target) ?? 0) + 1);
    let recentFailures = 0;
    let queuedUntil = now;
    for (const record of records) {
      record.failures += 1;
      record.lastAt = now;
      recentFailures = Math.max(recentFailures, record.failures);
      queuedUntil = Math.max(queuedUntil, record.busyUntil);
    }
    const cap = this.baseDelayMs * MAX_FACTOR;
    const waitMs = Math.min(cap, queuedUntil - now + this.baseDelayMs * recentFailures);
    for (const record of records) record.busyUntil = now + waitMs;
    return { waitMs, recentFailures };
  }

  /**
   * The right password for an account forgets that account's failures, and its
   * address's failures against that account and against names that are no
   * account. The address's guesses at other accounts still count: logging in
   * to an account of one's own between them buys nothing.
   */
  succeed({ address, account }: BrakeKeys): void {
    if (account !== null) this.records.delete(`account ${account}`);
    const key = `address ${address}`;
    const record = this.records.get(key);
    if (!record) return;
    for (const target of account === null ? [''] : [account, '']) {
      record.failures -= record.against.get(target) ?? 0;
      record.against.delete(target);
    }
    if (record.failures <= 0) this.records.delete(key);
  }

  /** The record of `key`, fresh when it was quiet long enough; moved to the newest end. */
  private take(key: string, now: number): FailureRecord {
    const old = this.records.get(key);
    this.records.delete(key);
    const record = old && now - old.lastAt < FORGET_AFTER_MS ? old : { failures: 0, lastAt: now, busyUntil: now, against: new Map<string, number>() };
    this.records.set(key, record);
    // Map order is least recently failed first.
    for (const oldest of this.records.keys()) {
      if (this.records.size <= MAX_KEYS) break;
      this.records.delete(oldest);
    }
    return record;
  }
}
