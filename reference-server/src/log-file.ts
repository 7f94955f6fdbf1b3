/**
 * An append-only log file that never stops the server. Lines are written in
 * order, one write at a time, and gather while a write is in flight. When the
 * file cannot be written (ENOSPC on a full disk, EIO, a folder gone), lines are
 * dropped, not retried: that is said once on stderr, and again when writing
 * works again, with how many were lost. At most MAX_WAITING bytes wait for a
 * slow disk; past that lines are dropped too, so memory stays bounded.
 */
import { open, type FileHandle } from 'node:fs/promises';

const MAX_WAITING = 4 * 1024 * 1024;

export class LogFile {
  private file: FileHandle | null = null;
  private waiting: string[] = [];
  private waitingBytes = 0;
  private writing: Promise<void> | null = null;
  /** The error that makes lines drop now; null while writing works. */
  private failure: string | null = null;
  private dropped = 0;
  /** A write that failed halfway left a line without its end: the next write ends it first. */
  private lineCut = false;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly report: (message: string) => void = (message) => process.stderr.write(`ftp-ref: ${message}\n`),
  ) {}

  /** Takes one or more complete lines (pino calls this for each log line). */
  write(text: string): boolean {
    if (this.closed) return true;
    if (this.waitingBytes + text.length > MAX_WAITING) {
      this.drop(1, 'too many log lines waiting for the disk');
      return true;
    }
    this.waiting.push(text);
    this.waitingBytes += text.length;
    this.writing ??= this.writeWaiting();
    return true;
  }

  /** Calls back once every line taken so far is written or dropped (pino's logger.flush). */
  flush(callback?: (error?: Error) => void): void {
    void (this.writing ?? Promise.resolve()).then(() => callback?.());
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    await this.file?.close().catch(() => {});
    this.file = null;
  }

  private async writeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const lines = this.waiting.length;
      const text = (this.lineCut ? '\n' : '') + this.waiting.join('');
      this.waiting = [];
      this.waitingBytes = 0;
      let written = 0;
      try {
        this.file ??= await open(this.path, 'a');
        const bytes = Buffer.from(text);
        while (written < bytes.length) written += (await this.file.write(bytes, written)).bytesWritten;
        this.lineCut = false;
        this.recovered();
      } catch (error) {
        this.lineCut ||= written > 0;
        this.drop(lines, (error as Error).message);
      }
    }
    this.writing = null;
  }

  private drop(lines: number, reason: string): void {
    this.dropped += lines;
    if (this.failure !== null) return;
    this.failure = reason;
    this.report(`cannot write ${this.path} (${reason}); its log lines are dropped until it can be written again`);
  }

  private recovered(): void {
    if (this.failure === null) return;
    this.report(`writing ${this.path} again; ${this.dropped} log line(s) were dropped`);
    this.failure = null;
    this.dropped = 0;
  }
}
