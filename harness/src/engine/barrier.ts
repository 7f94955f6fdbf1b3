/** A named meeting point for parallel branches; a failed branch breaks it so nobody waits forever. */
export class Barriers {
  private readonly waiting = new Map<string, { arrived: number; release: Array<(error?: Error) => void> }>();
  private broken: Error | null = null;

  constructor(private readonly parties: number) {}

  arrive(name: string): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const entry = this.waiting.get(name) ?? { arrived: 0, release: [] };
    this.waiting.set(name, entry);
    entry.arrived++;
    return new Promise((resolve, reject) => {
      entry.release.push((error) => (error ? reject(error) : resolve()));
      if (entry.arrived === this.parties) {
        this.waiting.delete(name);
        for (const release of entry.release) release();
      }
    });
  }

  breakAll(reason: Error): void {
    this.broken = reason;
    for (const entry of this.waiting.values()) for (const release of entry.release) release(reason);
    this.waiting.clear();
  }
}
