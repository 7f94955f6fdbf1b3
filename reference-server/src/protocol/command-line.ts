/**
 * The one entry point for untrusted control-connection bytes: a bounded line
 * reader (CRLF or bare LF, Telnet IAC removed, NUL kept for the parser to refuse)
 * and a pure command parser. No sockets here.
 */

const IAC = 0xff;
const LF = 0x0a;
const CR = 0x0d;

export type LineEvent = { kind: 'line'; line: Buffer } | { kind: 'overflow'; length: number };

/**
 * Splits a byte stream into command lines, at most `maxLineBytes` each. A line
 * over the cap is reported once as an overflow and its bytes are dropped up to
 * the next LF, so a 100 KB line never grows the buffer past the cap.
 */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowing = 0; // bytes dropped from the current oversized line, 0 when none
  private iacState: 'none' | 'iac' | 'option' = 'none';

  constructor(private readonly maxLineBytes: number) {}

  /** True when bytes of a line without its line end are held. */
  get hasPartialLine(): boolean {
    return this.pendingBytes > 0 || this.overflowing > 0;
  }

  feed(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    const clean = this.stripTelnet(chunk);
    let start = 0;
    for (let i = 0; i < clean.length; i++) {
      if (clean[i] !== LF) continue;
      this.append(clean.subarray(start, i));
      events.push(this.finishLine());
      start = i + 1;
    }
    this.append(clean.subarray(start));
    return events;
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    if (this.overflowing > 0) {
      this.overflowing += part.length;
      return;
    }
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      this.overflowing = this.pendingBytes + part.length;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
  }

  private finishLine(): LineEvent {
    if (this.overflowing > 0) {
      const length = this.overflowing;
      this.overflowing = 0;
      return { kind: 'overflow', length };
    }
    let line = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    return { kind: 'line', line };
  }

  /** RFC 854: IAC IAC is a data 0xFF; IAC WILL/WONT/DO/DONT take one option byte; other IAC commands (IP, DM, ...) are dropped. */
  private stripTelnet(chunk: Buffer): Buffer {
    if (this.iacState === 'none' && !chunk.includes(IAC)) return chunk;
    const out = Buffer.allocUnsafe(chunk.length);
    let n = 0;
    for (const byte of chunk) {
      if (this.iacState === 'iac') {
        if (byte === IAC) out[n++] = IAC;
        this.iacState = byte >= 251 && byte <= 254 ? 'option' : 'none';
      } else if (this.iacState === 'option') {
        this.iacState = 'none';
      } else if (byte === IAC) {
        this.iacState = 'iac';
      } else {
        out[n++] = byte;
      }
    }
    return out.subarray(0, n);
  }
}

export interface ParsedCommand {
  /** Upper-case verb, e.g. `RETR`; `SITE` commands keep `SITE` here and the subcommand in `argument`. */
  verb: string;
  /** Everything after the first space, unchanged (file names may have leading and trailing spaces). */
  argument: string;
  /** True when the line held bytes no command may carry (NUL, other control characters). */
  hasControlCharacters: boolean;
}

/** Pure: one command line (without its line ending) to verb and argument. RFC 959 §5.3. */
export function parseCommand(line: Buffer): ParsedCommand {
  const text = line.toString('utf8');
  const space = text.indexOf(' ');
  const verb = (space === -1 ? text : text.slice(0, space)).toUpperCase();
  const argument = space === -1 ? '' : text.slice(space + 1);
  // CR inside a line (not at its end) and other C0 controls are never valid in a command.
  const hasControlCharacters = /[\x00-\x08\x0a-\x1f\x7f]/.test(text);
  return { verb, argument, hasControlCharacters };
}

/** Words of a command line split on any run of spaces, tabs or other control bytes. */
const WORD_GAPS = /[\s\x00-\x1f\x7f]+/;

/**
 * The command line as logs and transcripts may show it: the argument of PASS
 * and the password of SITE REGISTER/ADDUSER masked. Keyed on the verb however
 * the line is spaced or cased (`PASS<TAB>pw`, `site register  u pw`), since
 * such a line is logged before anything refuses it.
 */
export function maskSecrets(line: string): string {
  const words = line.trim().split(WORD_GAPS);
  const verb = (words[0] ?? '').toUpperCase();
  // A password glued to the verb (`PASSpw`) is still a password.
  if (verb.startsWith('PASS')) return verb === 'PASS' && words.length === 1 ? 'PASS' : 'PASS ***';
  const sub = (words[1] ?? '').toUpperCase();
  if (verb === 'SITE' && (sub === 'REGISTER' || sub === 'ADDUSER') && words.length >= 4) {
    // ADDUSER's limit is shown when it is a number; anything else may be the rest of a password.
    const limit = sub === 'ADDUSER' && /^\d+$/.test(words[4] ?? '') ? [words[4] as string] : [];
    return [...words.slice(0, 3), '***', ...limit].join(' ');
  }
  return line;
}
