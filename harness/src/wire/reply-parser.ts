// Pure parser for FTP control-connection replies: text in, replies and leftover out.
// No sockets here (style habit 3), so every edge case is testable with fixture strings.
//
// RFC 959 §4.2: a reply is `ddd text` on one line, or a multi-line reply that opens
// with `ddd-text` and ends with a line that begins with the same code followed by a
// space. Lines in between may start with anything, digits included. RFC 959 requires
// CRLF; we also accept a bare LF so that a sloppy server is reported, not hung.

export interface Reply {
  /** The 3-digit reply code; 0 when the line that should have carried one did not. */
  code: number;
  /** Every line of the reply, without its line terminator. */
  lines: string[];
  /** The text of all lines with the code prefixes removed, joined by '\n'. */
  message: string;
  /** Exactly the text received, line terminators included. */
  raw: string;
}

const SINGLE_OR_LAST = /^(\d{3})(?: |$)/;
const FIRST_OF_MULTI = /^(\d{3})-/;

interface Line {
  text: string;
  /** text plus its terminator, exactly as received */
  raw: string;
}

/** Splits off complete lines (ending in LF); the unterminated tail stays out. */
function completeLines(text: string): { lines: Line[]; consumed: number } {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const lf = text.indexOf('\n', start);
    if (lf < 0) break;
    const end = lf > start && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
    lines.push({ text: text.slice(start, end), raw: text.slice(start, lf + 1) });
    start = lf + 1;
  }
  return { lines, consumed: start };
}

function stripPrefix(text: string, code: string, isFirstOrLast: boolean): string {
  // Inner lines of a multi-line reply carry no prefix by the RFC, but many servers
  // (IIS, some welcome banners) repeat `ddd-` on each; it is a prefix, not text.
  if (text.startsWith(code)) {
    const sep = text.charAt(3);
    if (sep === '-' || (isFirstOrLast && (sep === ' ' || sep === ''))) return text.slice(4);
  }
  return text;
}

function makeReply(code: number, lines: Line[]): Reply {
  const codeText = code === 0 ? '' : String(code).padStart(3, '0');
  const texts = lines.map((l) => l.text);
  const message =
    code === 0
      ? texts.join('\n')
      : texts.map((t, i) => stripPrefix(t, codeText, i === 0 || i === texts.length - 1)).join('\n');
  return { code, lines: texts, message, raw: lines.map((l) => l.raw).join('') };
}

/**
 * Parses every complete reply in `text`. An incomplete reply (a partial line, or a
 * multi-line reply whose last line has not arrived) is returned untouched in `rest`,
 * to be prefixed to the next chunk. A line that should start a reply but has no
 * 3-digit code becomes a reply of its own with code 0: the caller reports it.
 */
export function parseReplies(text: string): { replies: Reply[]; rest: string } {
  const { lines, consumed } = completeLines(text);
  const replies: Reply[] = [];
  let i = 0;
  let restStart = 0; // offset in `text` where the first unconsumed reply begins
  let offset = 0;
  while (i < lines.length) {
    const first = lines[i] as Line;
    const multi = FIRST_OF_MULTI.exec(first.text);
    if (!multi) {
      const single = SINGLE_OR_LAST.exec(first.text);
      replies.push(makeReply(single ? Number(single[1]) : 0, [first]));
      offset += first.raw.length;
      restStart = offset;
      i += 1;
      continue;
    }
    const code = multi[1] as string;
    let j = i + 1;
    let closed = false;
    while (j < lines.length) {
      const t = (lines[j] as Line).text;
      j += 1;
      if (t.startsWith(code) && (t.length === 3 || t.charAt(3) === ' ')) {
        closed = true;
        break;
      }
    }
    if (!closed) break;
    const replyLines = lines.slice(i, j);
    replies.push(makeReply(Number(code), replyLines));
    for (const l of replyLines) offset += l.raw.length;
    restStart = offset;
    i = j;
  }
  // Everything from the first unfinished reply on, plus any unterminated tail.
  return { replies, rest: i < lines.length ? text.slice(restStart) : text.slice(consumed) };
}

/**
 * True when appending `newLines` (complete lines) to a pending multi-line reply opened
 * with `code` could finish it. Lets a connection skip re-parsing a long pending reply
 * on every chunk, which would cost quadratic time against a slow, endless reply.
 */
export function mayEndMultiline(code: number, newLines: string): boolean {
  const c = String(code).padStart(3, '0');
  return new RegExp(`(^|\\n)${c}( |\\r?\\n|$)`).test(newLines);
}

/** The code of the multi-line reply that `rest` opens, or null if it opens none. */
export function pendingMultilineCode(rest: string): number | null {
  const m = FIRST_OF_MULTI.exec(rest);
  return m ? Number(m[1]) : null;
}

/** Reply classes by first digit, RFC 959 §4.2.1. */
export function isPreliminary(reply: Reply): boolean {
  return reply.code >= 100 && reply.code < 200;
}
export function isCompletion(reply: Reply): boolean {
  return reply.code >= 200 && reply.code < 300;
}
export function isIntermediate(reply: Reply): boolean {
  return reply.code >= 300 && reply.code < 400;
}
