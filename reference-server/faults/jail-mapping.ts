/**
 * The misbehaviours behind the jail faults (faults/jail.ts), test-only: how a
 * naive server maps a client path to the disk. vfs/jail.ts calls these only
 * when a fault is switched on; with none, nothing here runs. Each function
 * reproduces one classic bug and nothing more.
 */
import { basename, dirname, join, sep } from 'node:path';
import { lstatSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { resolveVirtual, virtualName, virtualParent, VIRTUAL_ROOT, type VirtualPath } from '../src/vfs/virtual-path.ts';
import { OutsideJailError, type JailPath, type RealPath } from '../src/vfs/jail.ts';
import { JAIL_FAULTS } from './jail.ts';
import type { FaultName } from './index.ts';

export type Faults = ReadonlySet<FaultName>;

/** Faults whose server trusts its own path handling and never checks that a real path lies inside the root. */
const NO_CONTAINMENT: readonly FaultName[] = [
  'jail-naive-join',
  'jail-backslash-separator',
  'jail-percent-decode',
  'jail-overlong-utf8',
  'jail-dotdot-strip-once',
  'jail-triple-dot',
  'jail-windows-absolute',
  'jail-double-slash-root',
  'jail-tilde-expansion',
  'jail-follow-symlinks',
  'jail-no-chroot',
];

function skipsContainment(faults: Faults): boolean {
  return NO_CONTAINMENT.some((name) => faults.has(name));
}

/** Whether a jail fault is on: then paths are mapped the naive way below, by name. */
export function mapsPathsFaultily(faults: Faults): boolean {
  return faults.size > 0 && [...faults].some((name) => Object.hasOwn(JAIL_FAULTS, name));
}

/**
 * How a naive server maps a virtual path: a lexical join checked with realpath
 * (by the containment check, unless a fault skips it), then used by name. The
 * result holds nothing open.
 */
export function faultyResolve(root: RealPath, path: VirtualPath, faults: Faults): JailPath {
  const contains = (real: string) => real === root || real.startsWith(root + sep);
  let probe = path;
  const missing: string[] = [];
  for (;;) {
    let resolved: string;
    try {
      resolved = realpathSync.native(faultyLexical(root, probe, faults));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new OutsideJailError(path);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if (isSymlink(faultyLexical(root, probe, faults))) throw new OutsideJailError(path);
      if (probe === '/') throw error;
      missing.unshift(virtualName(probe));
      probe = virtualParent(probe);
      continue;
    }
    if (!contains(resolved) && !skipsContainment(faults)) throw new OutsideJailError(path);
    const real = faultyTail(resolved, missing, faults) as RealPath;
    return { virtual: path, real, key: real, close() {} };
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** jail-shared-root / jail-no-chroot: the root a user's jail really gets, and where the session starts. */
export async function faultyRoot(home: string, faults: Faults): Promise<{ root: string; start: VirtualPath } | null> {
  if (faults.has('jail-no-chroot')) return { root: '/', start: (await realpath(home)) as VirtualPath };
  if (faults.has('jail-shared-root')) return { root: dirname(home), start: `/${basename(home)}` as VirtualPath };
  return null;
}

/** Joins without clamping: `..` segments are kept, so the real join climbs above the root. */
function naiveVirtual(cwd: VirtualPath, argument: string): VirtualPath {
  const segments = argument.startsWith('/') ? [] : cwd.split('/').filter(Boolean);
  for (const segment of argument.split('/')) if (segment !== '' && segment !== '.') segments.push(segment);
  return `/${segments.join('/')}` as VirtualPath;
}

/** The virtual path a faulty server makes of a client argument, or null to use the correct one. `root` is the jail's real root. */
export function faultyVirtual(root: string, cwd: VirtualPath, argument: string, faults: Faults): VirtualPath | null {
  if (faults.has('jail-double-slash-root') && argument.startsWith('//')) return `/${resolveVirtual(VIRTUAL_ROOT, argument.slice(2))}` as VirtualPath;
  const tilde = /^~([^/]*)(.*)$/s.exec(argument);
  if (faults.has('jail-tilde-expansion') && tilde) {
    // `~user` is that user's home beside this one on the disk, `~` this one's, both reached from the root's parent.
    const [, user = '', rest = ''] = tilde;
    return naiveVirtual(VIRTUAL_ROOT, `../${user || basename(root)}${rest}`);
  }
  if (faults.has('jail-dotdot-strip-once')) return naiveVirtual(cwd, argument.split('../').join(''));
  if (faults.has('jail-naive-join')) return naiveVirtual(cwd, argument);
  return null;
}

/** UTF-8 decoding that accepts overlong forms: 0xC0 0xAE is `.`, 0xC0 0xAF is `/` (what RFC 3629 forbids). */
function lenientUtf8(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const c1 = bytes[i + 1] ?? 0;
    const c2 = bytes[i + 2] ?? 0;
    const continues = (c: number) => (c & 0xc0) === 0x80;
    if (b >= 0xc0 && b < 0xe0 && continues(c1)) {
      out += String.fromCodePoint(((b & 0x1f) << 6) | (c1 & 0x3f));
      i += 1;
    } else if (b >= 0xe0 && b < 0xf0 && continues(c1) && continues(c2)) {
      out += String.fromCodePoint(((b & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f));
      i += 2;
    } else {
      out += String.fromCharCode(b);
    }
  }
  return out;
}

function percentDecode(segment: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const hex = segment.slice(i + 1, i + 3);
    if (segment[i] === '%' && /^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(segment[i] as string, 'utf8'));
    }
  }
  return lenientUtf8(Buffer.from(bytes));
}

/** One name as a faulty server hands it to the disk; may now hold `/` and `..`. */
function faultySegment(segment: string, faults: Faults): string {
  let name = segment;
  // The session read the command as latin1 (faultyCommandLine), so each char is one raw byte.
  if (faults.has('jail-overlong-utf8')) name = lenientUtf8(Buffer.from(name, 'latin1'));
  if (faults.has('jail-percent-decode')) name = percentDecode(name);
  if (faults.has('jail-backslash-separator') || faults.has('jail-windows-absolute')) name = name.replace(/\\/g, '/');
  if (faults.has('jail-triple-dot')) name = name.replace(/(^|\/)(\.{3,})(?=\/|$)/g, (_all, lead: string, dots: string) => lead + Array(dots.length - 1).fill('..').join('/'));
  return name;
}

/** Windows path joining: a drive (`C:`) or UNC (`//host/share`) part starts over at the host root. */
function windowsRestart(names: string[]): string[] | null {
  for (let i = names.length - 1; i >= 0; i--) {
    const name = names[i] as string;
    const drive = /^[A-Za-z]:(\/|$)/.test(name);
    const unc = /^\/\/[^/]+(\/[^/]*)?/.exec(name);
    if (drive) return ['/', name.slice(2), ...names.slice(i + 1)];
    if (unc) return ['/', name.slice(unc[0].length), ...names.slice(i + 1)];
  }
  return null;
}

/** The real path a faulty server makes of a virtual one (the correct one when no mapping fault is on). */
function faultyLexical(root: string, path: VirtualPath, faults: Faults): string {
  if (faults.has('jail-double-slash-root') && path.startsWith('//')) return join('/', path.slice(2));
  const names = path.split('/').filter(Boolean).map((segment) => faultySegment(segment, faults));
  if (faults.has('jail-windows-absolute')) {
    const restarted = windowsRestart(names);
    if (restarted) return join(...restarted);
  }
  return join(root, ...names);
}

/** The names below an existing folder, as a faulty server hands them to the disk. */
function faultyTail(resolved: string, missing: string[], faults: Faults): string {
  return join(resolved, ...missing.map((segment) => faultySegment(segment, faults)));
}

/**
 * jail-c-string-truncation cuts the line at its first NUL or CR; jail-overlong-utf8
 * keeps every byte as one char (latin1) so the path mapping can decode it leniently.
 */
export function faultyCommandLine(line: Buffer, faults: Faults): Buffer {
  let bytes = line;
  if (faults.has('jail-c-string-truncation')) {
    const cut = bytes.findIndex((byte) => byte === 0x00 || byte === 0x0d);
    if (cut >= 0) bytes = bytes.subarray(0, cut);
  }
  if (faults.has('jail-overlong-utf8')) bytes = Buffer.from(bytes.toString('latin1'), 'utf8');
  return bytes;
}

/** jail-leak-real-path: the reply names the real path the failed system call got. */
export function withRealPath(text: string, error: unknown): string {
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  return path ? `${path}: ${text}` : text;
}
