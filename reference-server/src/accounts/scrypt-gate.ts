/**
 * Bounds the memory password checks take: each scrypt holds 16 MiB while it
 * runs, and glibc keeps what a thread once used. At most `parallel` checks run
 * at once, and identical checks in flight at the same moment (a burst of
 * logins of one account) share one scrypt.
 */
import pLimit from 'p-limit';
import { verifyPassword } from './password-hash.ts';

export class ScryptGate {
  private readonly limit;
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(parallel = 2) {
    this.limit = pLimit(parallel);
  }

  verify(name: string, password: string, storedHash: string): Promise<boolean> {
    // The key lives only while the check runs; it is never logged or kept.
    const key = `${name}\0${password}\0${storedHash}`;
    let check = this.inFlight.get(key);
    if (!check) {
      check = this.limit(() => verifyPassword(password, storedHash));
      this.inFlight.set(key, check);
      void check.finally(() => this.inFlight.delete(key)).catch(() => {});
    }
    return check;
  }
}
