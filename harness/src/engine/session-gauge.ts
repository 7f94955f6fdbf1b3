/**
 * Counts the control connections a run holds open, across its cases, and what
 * the target's session limit proved to be. ftp-check must never report the
 * 421s it caused itself: a case that meets "too many sessions" while other
 * cases hold sessions waits for them and tries again, and the run learns the
 * limit so that it opens fewer at once from then on.
 */
interface Counted {
  isClosed(): boolean;
}

/** A 421, or a 530 that says a limit was reached (some servers refuse a login over the per-user limit so). */
export function isTooManySessions(code: number, text: string): boolean {
  if (code === 421) return true;
  return code === 530 && /too many|limit|maximum|exceed|reached/i.test(text);
}

export class SessionGauge {
  private readonly held = new Set<Counted>();
  private limit: number | undefined;
  private readonly listeners: Array<(limit: number) => void> = [];

  add(connection: Counted): void {
    this.held.add(connection);
  }

  /** Sessions open now. */
  open(): number {
    for (const connection of this.held) if (connection.isClosed()) this.held.delete(connection);
    return this.held.size;
  }

  /** A "too many" answer came while `open` sessions were held (the refused one among them). */
  limitMet(open: number): void {
    const found = Math.max(1, open - 1);
    if (this.limit !== undefined && this.limit <= found) return;
    this.limit = found;
    for (const listener of this.listeners) listener(found);
  }

  /** The most sessions the target accepted at once when it refused one, if it ever did. */
  limitFound(): number | undefined {
    return this.limit;
  }

  onLimit(listener: (limit: number) => void): void {
    this.listeners.push(listener);
  }
}
