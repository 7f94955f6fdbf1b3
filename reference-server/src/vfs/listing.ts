/**
 * Pure formatting of directory listings: `ls -l` lines for LIST (what curl,
 * lftp and FileZilla parse) and RFC 3659 facts for MLSD/MLST. No filesystem
 * access; callers pass what they stat'ed. Owner and group are always `ftp` so
 * that no server account name leaks.
 */

export interface EntryInfo {
  name: string;
  kind: 'file' | 'dir';
  size: number;
  mtime: Date;
  /** Unix permission bits (mode & 0o777). */
  mode: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function permissionString(mode: number): string {
  const flags = 'rwxrwxrwx';
  let out = '';
  for (let bit = 8; bit >= 0; bit--) out += mode & (1 << bit) ? flags[8 - bit] : '-';
  return out;
}

function lsDate(mtime: Date, now: Date): string {
  const month = MONTHS[mtime.getUTCMonth()];
  const day = String(mtime.getUTCDate()).padStart(2, ' ');
  const recent = Math.abs(now.getTime() - mtime.getTime()) < SIX_MONTHS_MS;
  if (!recent) return `${month} ${day}  ${mtime.getUTCFullYear()}`;
  const hh = String(mtime.getUTCHours()).padStart(2, '0');
  const mm = String(mtime.getUTCMinutes()).padStart(2, '0');
  return `${month} ${day} ${hh}:${mm}`;
}

/** One `ls -l` line, e.g. `-rw-r--r--   1 ftp      ftp          1234 Nov 21 05:52 a.txt`. */
export function formatLsLine(entry: EntryInfo, now: Date = new Date()): string {
  const type = entry.kind === 'dir' ? 'd' : '-';
  const links = entry.kind === 'dir' ? 2 : 1;
  const size = String(entry.size).padStart(12, ' ');
  return `${type}${permissionString(entry.mode)} ${String(links).padStart(3, ' ')} ftp      ftp      ${size} ${lsDate(entry.mtime, now)} ${entry.name}`;
}

/** RFC 3659 §2.3 time-val: YYYYMMDDHHMMSS in UTC. */
export function formatTimeVal(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  );
}

export type MlsxType = 'file' | 'dir' | 'cdir' | 'pdir';

/** The facts this server offers, in FEAT order (RFC 3659 §7.8); `*` marks the ones shown by default. */
export const MLST_FACTS = ['type', 'size', 'modify', 'perm', 'unix.mode'] as const;

/** RFC 3659 §7.5.5 perm fact, from what the session may do. */
export function permFact(kind: 'file' | 'dir', writable: boolean): string {
  if (kind === 'file') return writable ? 'adfrw' : 'r';
  return writable ? 'cdeflmp' : 'el';
}

/** One MLSD line or MLST entry: `type=file;size=3;modify=...;perm=r; name` (RFC 3659 §7.2). */
export function formatFacts(entry: EntryInfo, type: MlsxType, writable: boolean, displayName: string): string {
  const facts = [`type=${type}`];
  if (entry.kind === 'file') facts.push(`size=${entry.size}`);
  facts.push(`modify=${formatTimeVal(entry.mtime)}`);
  facts.push(`perm=${permFact(entry.kind, writable)}`);
  facts.push(`unix.mode=0${(entry.mode & 0o777).toString(8)}`);
  return `${facts.join(';')}; ${displayName}`;
}
