// How bytes that came from a server are shown: one pure module, so every output
// (console, TAP, JUnit, JSON, step labels, error messages) shows them alike and none
// lets a server drive the user's terminal (ESC sequences, OSC titles, BEL, a CR that
// rewrites a line) or break a report file (NUL and other characters XML forbids).

function hex(code: number): string {
  return '\\x' + code.toString(16).padStart(2, '0');
}

function unicode(code: number): string {
  return `\\u{${code.toString(16)}}`;
}

/** C0 controls, DEL and C1 controls (0x80-0x9f, where 0x9b is a one-byte CSI). */
function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f);
}

/**
 * Characters that are invisible yet change how the text around them reads: bidi
 * overrides and isolates ("Trojan Source"), line and paragraph separators, and what
 * XML 1.0 forbids outright (lone surrogates, U+FFFE, U+FFFF).
 */
function isDeceptive(code: number): boolean {
  return (
    code === 0x061c ||
    (code >= 0x200e && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0xfffe ||
    code === 0xffff
  );
}

/**
 * One line of server text made visible: CR, LF and TAB as `\r` `\n` `\t`, other
 * controls as `\xNN`, deceptive characters as `\u{NNNN}`. `bytesAreLatin1` says
 * that each char stands for one byte of invalid UTF-8, so chars 0x80-0xff are shown
 * as bytes (\xff) rather than as the Latin-1 letters they happen to decode to.
 */
export function escapeForDisplay(text: string, bytesAreLatin1 = false): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code === 0x0d) out += '\\r';
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x09) out += '\\t';
    else if (isControl(code)) out += hex(code);
    else if (bytesAreLatin1 && code >= 0x80 && code <= 0xff) out += hex(code);
    else if (isDeceptive(code)) out += unicode(code);
    else out += ch;
  }
  return out;
}

/**
 * Text of ours that may quote server text (a failure's expected and actual, a
 * target error): line breaks we put there stay, everything else escapeForDisplay
 * would escape is escaped. Safe for a terminal and for XML, JSON and TAP writers.
 */
export function escapeKeepingLines(text: string): string {
  return text
    .split('\n')
    .map((line) => escapeForDisplay(line))
    .join('\n');
}

/** True when `text` holds nothing escapeKeepingLines would change. */
export function isDisplaySafe(text: string): boolean {
  return escapeKeepingLines(text) === text;
}
