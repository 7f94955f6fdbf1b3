/**
 * The live checks of `ftp-check shell`: each takes what came back and returns
 * the warnings it finds, every one with its basis. Pure: the session calls them
 * on every reply and prints what they return. The rules are run's own: the
 * reply-code table (protocol/reply-codes.ts), the leak finder (engine/leaks.ts),
 * the PASV/EPSV parsers (wire/data-channel.ts); only 257 quoting and listings,
 * which run checks through spec patterns, are read here.
 */
import { judgeReply } from '../protocol/reply-codes.ts';
import { findServerPath } from '../engine/leaks.ts';
import { parseEpsvReply, parsePasvReply } from '../wire/data-channel.ts';
import type { Reply } from '../wire/reply-parser.ts';
import { escapeForDisplay } from '../wire/escape.ts';
import { parseListing } from './listing.ts';

export interface Warning {
  /** What is wrong, as observed. */
  text: string;
  /** The RFC section (or other source) that makes it wrong. */
  basis: string;
}

const MAX_QUOTED = 80;

function quoted(text: string): string {
  const shown = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text;
  return JSON.stringify(escapeForDisplay(shown));
}

function verbOf(line: string): string {
  const words = line.trim().split(/\s+/);
  const verb = (words[0] ?? '').toUpperCase();
  return verb === 'SITE' || verb === 'OPTS' ? `${verb} ${(words[1] ?? '').toUpperCase()}`.trim() : verb;
}

/** The reply's code against the table of what RFC 959 §5.4 and its successors list for the command. */
export function checkReplyCode(line: string, reply: Reply): Warning[] {
  if (reply.code === 0) return []; // checkReplySyntax reports it
  const verdict = judgeReply(line, reply.code);
  if (verdict.kind === 'unlisted' || (verdict.kind === 'unknown-command' && verdict.replyClass === null)) {
    const meaning = verdict.replyClass === null ? 'a code in no reply class of RFC 959 §4.2' : `not a reply listed for ${verbOf(line)} (class ${verdict.replyClass})`;
    const basis = verdict.source.length > 0 ? `${verdict.source.join('; ')}; RFC 1123 §4.1.2.11` : 'RFC 959 §4.2';
    return [{ text: `${reply.code} to ${verbOf(line)} is ${meaning}`, basis }];
  }
  return [];
}

/**
 * RFC 959 §4.2: every reply line ends in CRLF (Telnet end-of-line); a reply starts
 * with a 3-digit code; an inner line of a multi-line reply that begins with 3 digits
 * "must" be padded so that it cannot be taken for the end.
 */
export function checkReplySyntax(reply: Reply): Warning[] {
  const warnings: Warning[] = [];
  if (reply.code === 0) {
    warnings.push({ text: `a reply line without a 3-digit code: ${quoted(reply.lines[0] ?? '')}`, basis: 'RFC 959 §4.2 (a reply is a 3-digit code followed by text)' });
    return warnings;
  }
  const bareLf = reply.raw.split('\n').slice(0, -1).some((line) => !line.endsWith('\r'));
  if (bareLf) warnings.push({ text: `reply ${reply.code} ends its lines with a bare LF, not CRLF`, basis: 'RFC 959 §4.2 (each line ends with the Telnet end-of-line code, CRLF)' });
  const code = String(reply.code);
  for (const inner of reply.lines.slice(1, -1)) {
    if (/^\d{3}/.test(inner) && !inner.startsWith(`${code}-`)) {
      warnings.push({ text: `multi-line reply ${reply.code} has an inner line that starts with a code: ${quoted(inner)}`, basis: 'RFC 959 §4.2 (an inner line beginning with 3 digits must be padded, so it is not taken for a reply)' });
      break;
    }
  }
  return warnings;
}

/** Replies that came with nobody asking: one reply per command (RFC 959 §4.2), so a server sent one too many. */
export function checkUnsolicited(line: string, extra: Reply): Warning {
  return { text: `an extra reply after the reply to ${verbOf(line)}: ${extra.code} ${quoted(extra.lines[0] ?? '')}`, basis: 'RFC 959 §4.2 (one reply per command; a multi-line reply ends only at "ddd ")' };
}

/** The path of a 257 reply (RFC 959 Appendix II: `257 "PATHNAME"`, an embedded `"` doubled), or null. */
export function parse257(message: string): string | null {
  const match = /^"((?:[^"]|"")*)"(?:\s|$)/.exec(message);
  return match ? (match[1] as string).replace(/""/g, '"') : null;
}

export function check257(line: string, reply: Reply): Warning[] {
  if (reply.code !== 257) return [];
  if (parse257(reply.message) !== null) return [];
  return [{ text: `257 to ${verbOf(line)} does not give the path in double quotes: ${quoted(reply.lines[0] ?? '')}`, basis: 'RFC 959 Appendix II (257 "PATHNAME": the name in double quotes, an embedded quote doubled)' }];
}

/** A PASV/EPSV reply: readable, and naming the server the client already talks to. */
export function checkPassiveReply(verb: 'PASV' | 'EPSV', reply: Reply, controlPeer: string): Warning[] {
  if (verb === 'EPSV') {
    if (reply.code !== 229) return [];
    if (/\(([!-/:-~])\1\1\d{1,5}\1\)/.test(reply.message)) return [];
    const readable = parseEpsvReply(reply.message) !== null;
    return [{ text: `229 ${readable ? 'gives the port without the parentheses' : 'gives no port in the form (|||port|)'}: ${quoted(reply.lines[0] ?? '')}`, basis: 'RFC 2428 §3 (229 Entering Extended Passive Mode (<d><d><d><tcp-port><d>))' }];
  }
  if (reply.code !== 227) return [];
  const address = parsePasvReply(reply.message);
  if (!address) return [{ text: `227 gives no address h1,h2,h3,h4,p1,p2: ${quoted(reply.lines[0] ?? '')}`, basis: 'RFC 959 §4.1.2 PASV; RFC 1123 §4.1.2.6' }];
  if (address.host !== controlPeer) {
    return [{ text: `227 names ${address.host}, not the server's address ${controlPeer} (ftp-check connected to ${controlPeer})`, basis: 'RFC 959 §4.1.2 PASV (the server\'s own host and port); RFC 2577 §3 (a data address elsewhere is the bounce/theft risk)' }];
  }
  return [];
}

/** /etc/passwd's root line: host file content that no jailed server may hand out. */
const PASSWD_LINE = /^root:[^:\n]*:0:0:/m;

/**
 * A server path (its data folder, a host path, a drive or UNC path) or host file content in what the server sent.
 * `contentOnly` for a downloaded file: its bytes are the user's own, where any path may stand, so only host content counts.
 */
export function checkLeak(text: string, where: string, serverPaths: readonly string[], sent: string, contentOnly = false): Warning[] {
  const warnings: Warning[] = [];
  const path = contentOnly ? null : findServerPath(text, serverPaths, sent);
  if (path) warnings.push({ text: `${where} shows a server-side path: ${quoted(path)}`, basis: 'CWE-200 (exposure of the server\'s file system); the jail suite\'s checkLeaks' });
  if (PASSWD_LINE.test(text)) warnings.push({ text: `${where} holds the host's /etc/passwd (a line root:...:0:0:)`, basis: 'CWE-22 (path traversal out of the user\'s root); Lab A: the user is confined to one directory' });
  return warnings;
}

/** Bytes that came (or went) against what SIZE says the file holds. */
export function checkSize(what: string, transferred: number, size: number): Warning[] {
  if (transferred === size) return [];
  return [{ text: `${what}: ${transferred} bytes transferred but SIZE says ${size}`, basis: 'RFC 3659 §4 (SIZE: the number of octets a RETR would transfer in the current TYPE)' }];
}

/** Names that only the host's own root folder holds side by side (as jail.*'s hostRoot pattern in specs/jail/host-files.yaml). */
const HOST_ROOT_SETS: readonly (readonly (readonly string[])[])[] = [
  [['etc'], ['usr'], ['bin', 'dev', 'sbin', 'proc']],
  [['Windows'], ['Program Files']],
];

/** A listing of the host's root folder: the user got out of their own. */
export function checkHostRootListing(names: readonly string[], where: string): Warning[] {
  const present = new Set(names.map((name) => name.replace(/\/$/, '')));
  const isHostRoot = HOST_ROOT_SETS.some((set) => set.every((anyOf) => anyOf.some((name) => present.has(name))));
  return isHostRoot ? [{ text: `${where} is the host's root folder (etc, usr and bin/dev/sbin/proc side by side, or Windows and Program Files)`, basis: "CWE-22 (path traversal out of the user's root); Lab A: the user is confined to one directory" }] : [];
}

/** A LIST reply no client can read. */
export function checkListing(text: string): Warning[] {
  const { unparsed } = parseListing(text);
  if (unparsed.length === 0) return [];
  return [{ text: `${unparsed.length} listing line${unparsed.length > 1 ? 's' : ''} in neither the Unix ls -l nor the DOS form, e.g. ${quoted(unparsed[0] as string)}`, basis: 'RFC 959 §4.1.3 LIST (human-readable, in practice ls -l; RFC 3659 §7 MLSD is the machine form)' }];
}
