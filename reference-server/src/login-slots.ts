/** Sessions per account (maxPerUser): claimed at login, released at logout or close. */
export class LoginSlots {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxPerUser: number) {}

  /** Takes a slot of `name`; false when all its slots are taken. */
  claim(name: string): boolean {
    const count = this.counts.get(name) ?? 0;
    if (count >= this.maxPerUser) return false;
    this.counts.set(name, count + 1);
    return true;
  }

  /** Gives back the slot of whoever `session` is logged in as (nothing before login). */
  release(session: { identity: { name: string } | null }): void {
    const name = session.identity?.name;
    if (!name) return;
    const count = (this.counts.get(name) ?? 1) - 1;
    if (count <= 0) this.counts.delete(name);
    else this.counts.set(name, count);
  }
}
