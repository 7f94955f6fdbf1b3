/**
 * The last lines a server wrote on stderr, kept for its report ("why did it
 * crash at start?"). Bounded: a server that floods stderr costs a few KiB.
 */
const KEEP_BYTES = 4096;
const KEEP_LINES = 12;

export class StderrTail {
  private kept = Buffer.alloc(0);

  push(chunk: Buffer): void {
    const joined = Buffer.concat([this.kept, chunk]);
    this.kept = joined.subarray(Math.max(0, joined.length - KEEP_BYTES));
  }

  /** Up to the last 12 lines, control characters other than tab shown as `?`. */
  text(): string {
    const lines = this.kept.toString('utf8').replace(/\r\n?/g, '\n').split('\n');
    while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
    return lines.slice(-KEEP_LINES).map((line) => line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?')).join('\n');
  }
}
