/**
 * A short-lived memory of credentials that scrypt has already verified, so a
 * client that logs in again and again (a load test, a sync tool, a class of
 * scripts) costs one scrypt per minute instead of one per login.
 *
 * Trade-off (docs/performance.md): what is kept is an HMAC of name and
 * password under a random key that never leaves this process, never the
 * password; an entry is bound to the stored hash, so a password change or a
 * deleted account ends it at once; failed logins are never remembered and
 * always cost a full scrypt, so guessing gets no faster. A correct password is
 * answered sooner while remembered, which tells a guesser nothing it did not
 * already know.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

interface Entry {
  tag: Buffer;
  passwordHash: string;
  expiresAt: number;
}

export class VerifiedLogins {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  private tag(name: string, password: string): Buffer {
    return createHmac('sha256', this.key).update(name).update('\0').update(password).digest();
  }

  /** True when this exact name and password were verified against this stored hash less than ttl ago. */
  recall(name: string, password: string, passwordHash: string, now = Date.now()): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    if (entry.expiresAt <= now || entry.passwordHash !== passwordHash) {
      this.entries.delete(name);
      return false;
    }
    return timingSafeEqual(entry.tag, this.tag(name, password));
  }

  remember(name: string, password: string, passwordHash: string, now = Date.now()): void {
    this.entries.delete(name);
    this.entries.set(name, { tag: this.tag(name, password), passwordHash, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  forget(name: string): void {
    this.entries.delete(name);
  }
}
