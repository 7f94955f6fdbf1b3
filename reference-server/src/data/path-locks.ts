/**
 * One holder at a time per file, the others waiting in order. An upload that
 * writes a file in place (APPE, REST+STOR, a STOR that creates it) holds the
 * file's lock, so that undoing it after a 552 (cutting the file back to where
 * it began) takes away only its own bytes, and no upload lands inside another.
 */
export class PathLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for `path`'s turn; resolves with the release. Rejects if `signal` aborts first. */
  async acquire(path: string, signal: AbortSignal = NEVER): Promise<() => void> {
    const previous = this.tails.get(path) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.tails.set(path, tail);
    const releaseOnce = () => {
      release();
      if (this.tails.get(path) === tail) this.tails.delete(path);
    };
    try {
      await untilAborted(previous, signal);
    } catch (error) {
      // Whoever waits behind this one still gets a turn once the holder before it is done.
      releaseOnce();
      throw error;
    }
    return releaseOnce;
  }
}

const NEVER = new AbortController().signal;

function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}
