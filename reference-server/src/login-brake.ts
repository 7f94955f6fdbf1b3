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

  /** The keys of an attempt: its address always, its account when the name is one. */
  static keys(address: string, account: string | null): string[] {
    return account === null ? [`address ${address}`] : [`address ${address}`, `account ${account}`];
  }

  /** Counts a failure on every key and says how long its reply must wait. */
  fail(keys: readonly string[]): BrakeDecision {
    const now = this.now();
    let recentFailures = 0;
    let queuedUntil = now;
    const records = keys.map((key) => {
      const record = this.take(key, now);
      record.failures += 1;
      record.lastAt = now;
      recentFailures = Math.max(recentFailures, record.failures);
      queuedUntil = Math.max(queuedUntil, record.busyUntil);
      return record;
    });
    const cap = this.baseDelayMs * MAX_FACTOR;
    const waitMs = Math.min(cap, queuedUntil - now + this.baseDelayMs * recentFailures);
    for (const record of records) record.busyUntil = now + waitMs;
    return { waitMs, recentFailures };
  }

  /** A successful login to an account forgets the failures of its address and of that account. */
  succeed(keys: readonly string[]): void {
    for (const key of keys) this.records.delete(key);
  }

  /** The record of `key`, fresh when it was quiet long enough; moved to the newest end. */
  private take(key: string, now: number): FailureRecord {
    const old = this.records.get(key);
    this.records.delete(key);
    const record = old && now - old.lastAt < FORGET_AFTER_MS ? old : { failures: 0, lastAt: now, busyUntil: now };
    this.records.set(key, record);
    // Map order is least recently failed first.
    for (const oldest of this.records.keys()) {
      if (this.records.size <= MAX_KEYS) break;
      this.records.delete(oldest);
    }
    return record;
  }
}
