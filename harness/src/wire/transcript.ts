// The raw record of a session: what was sent, what came back, and notes in between.
// Everything stored is already cleaned (style habit 5): passwords masked, bytes that
// would corrupt a terminal or a JUnit file escaped, giant lines cut short. A failure
// report quotes this text as it is, so nothing secret or binary may reach it.

import { isUtf8 } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { escapeForDisplay } from './escape.ts';

export { escapeForDisplay };

export interface TranscriptEntry {
  /** Milliseconds since the transcript was created. */
  atMs: number;
  direction: 'sent' | 'received' | 'note';
  /** 'control' | 'data' | a session label, so sessions can share one transcript. */
  channel: string;
  /** Display text: masked, escaped, truncated, without the final CRLF. */
  text: string;
}

export interface TranscriptOptions {
  /** Longest line kept in full, in characters of display text. */
  maxLineChars?: number;
  /** Oldest entries are dropped past this count; the drop is itself noted. */
  maxEntries?: number;
}

const DEFAULT_MAX_LINE_CHARS = 400;
const DEFAULT_MAX_ENTRIES = 10_000;
const MASK = '***';
/** Secrets shorter than this are not hunted for elsewhere: `a` would mask every a. */
const MIN_REMEMBERED_SECRET = 4;

// Lines whose secret part is masked. Group 1 is kept, group 2 is the secret.
// `SITE ADDUSER u p [limit]`: only the password; the limit stays readable.
const SECRET_PATTERNS: RegExp[] = [
  /^(\s*PASS\s+)([^\r\n]+)/i,
  /^(\s*SITE\s+REGISTER\s+\S+\s+)(\S+)/i,
  /^(\s*SITE\s+ADDUSER\s+\S+\s+)(\S+)/i,
];

/** Masks the secret argument of one line; returns the secret found, if any. */
export function maskLine(line: string): { text: string; secret?: string } {
  for (const pattern of SECRET_PATTERNS) {
    const m = pattern.exec(line);
    if (m && m[2] !== undefined && m[2].length > 0) {
      const head = m[1] as string;
      return { text: head + MASK + line.slice(head.length + m[2].length), secret: m[2] };
    }
  }
  return { text: line };
}

/** Decodes bytes as UTF-8 when they are valid UTF-8, else one char per byte. */
export function decodeBytes(bytes: Buffer): { text: string; latin1: boolean } {
  return isUtf8(bytes) ? { text: bytes.toString('utf8'), latin1: false } : { text: bytes.toString('latin1'), latin1: true };
}

export class Transcript {
  readonly label: string | undefined;
  private readonly started = performance.now();
  private readonly list: TranscriptEntry[] = [];
  private readonly secrets = new Set<string>();
  private readonly maxLineChars: number;
  private readonly maxEntries: number;
  private dropped = 0;

  constructor(label?: string, options: TranscriptOptions = {}) {
    this.label = label;
    this.maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /** Records bytes or text we sent. Several lines in one write become several entries. */
  sent(text: string | Buffer, channel = 'control'): void {
    this.record('sent', text, channel);
  }

  received(text: string | Buffer, channel = 'control'): void {
    this.record('received', text, channel);
  }

  note(text: string, channel?: string): void {
    this.push('note', channel ?? this.label ?? 'note', this.clean(text, false));
  }

  entries(): TranscriptEntry[] {
    return this.list.map((e) => ({ ...e }));
  }

  /** The last n entries, formatted as in toText(). */
  tail(n: number): string[] {
    if (n <= 0) return [];
    return this.list.slice(-n).map(formatEntry);
  }

  toText(): string {
    const head = this.dropped > 0 ? [`(${this.dropped} earlier entries dropped)`] : [];
    return head.concat(this.list.map(formatEntry)).join('\n');
  }

  private record(direction: 'sent' | 'received', input: string | Buffer, channel: string): void {
    const { text, latin1 } = typeof input === 'string' ? { text: input, latin1: false } : decodeBytes(input);
    for (const line of splitKeepingTerminators(text)) {
      this.push(direction, channel, this.clean(line, latin1));
    }
  }

  /** Mask, escape, truncate: the one entry point for text into the store. */
  private clean(line: string, latin1: boolean): string {
    // A line's own CRLF is the normal terminator and is implied; anything else
    // (a bare LF, a lone CR, a missing terminator on a raw send) stays visible.
    const body = line.endsWith('\r\n') ? line.slice(0, -2) : line;
    const masked = maskLine(body);
    let text = masked.text;
    if (masked.secret !== undefined && masked.secret.length >= MIN_REMEMBERED_SECRET) {
      this.secrets.add(masked.secret);
    }
    // A server that echoes a password back must not leak it through us either.
    for (const secret of this.secrets) {
      if (text.includes(secret)) text = text.split(secret).join(MASK);
    }
    const escaped = escapeForDisplay(text, latin1);
    if (escaped.length <= this.maxLineChars) return escaped;
    const keep = Math.max(0, this.maxLineChars - 60);
    return `${escaped.slice(0, keep)}... [truncated: ${body.length} chars in all]`;
  }

  private push(direction: TranscriptEntry['direction'], channel: string, text: string): void {
    const atMs = Math.round((performance.now() - this.started) * 10) / 10;
    this.list.push({ atMs, direction, channel, text });
    if (this.list.length > this.maxEntries) {
      this.list.shift();
      this.dropped += 1;
    }
  }
}

/** Splits after each LF, so "a\r\nb" gives ["a\r\n", "b"]; never yields "". */
function splitKeepingTerminators(text: string): string[] {
  if (text === '') return [''];
  const parts: string[] = [];
  let start = 0;
  for (;;) {
    const lf = text.indexOf('\n', start);
    if (lf < 0 || lf === text.length - 1) {
      parts.push(text.slice(start));
      return parts;
    }
    parts.push(text.slice(start, lf + 1));
    start = lf + 1;
  }
}

const ARROWS: Record<TranscriptEntry['direction'], string> = { sent: '>', received: '<', note: '#' };

export function formatEntry(entry: TranscriptEntry): string {
  const at = `+${entry.atMs.toFixed(0)}ms`.padStart(9);
  return `${at} ${entry.channel} ${ARROWS[entry.direction]} ${entry.text}`;
}
