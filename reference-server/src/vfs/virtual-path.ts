/**
 * Virtual paths: what a client sees, always absolute, normalised, `/` at its
 * root. Pure functions only; turning one into a real path is jail.ts's job.
 */

declare const virtualBrand: unique symbol;
/** An absolute, normalised client path such as `/docs/a.txt`. Only `resolveVirtual` makes one. */
export type VirtualPath = string & { readonly [virtualBrand]: true };

export const VIRTUAL_ROOT = '/' as VirtualPath;

export type PathRefusal = 'control-characters' | 'too-long' | 'empty';

/** A client path argument is refused before resolution when it carries bytes no name may hold. */
export function checkPathArgument(argument: string, maxLength: number): PathRefusal | null {
  if (argument.length === 0) return 'empty';
  if (argument.length > maxLength) return 'too-long';
  if (/[\x00-\x1f\x7f]/.test(argument)) return 'control-characters';
  return null;
}

/**
 * Resolves `argument` against the current directory. `.` and empty segments are
 * dropped, `..` climbs but never above the root (so `/../../etc` is `/etc` inside
 * the jail). A backslash is an ordinary name character, as on Unix servers.
 */
export function resolveVirtual(cwd: VirtualPath, argument: string): VirtualPath {
  const start = argument.startsWith('/') ? [] : cwd.split('/').filter(Boolean);
  const segments = start;
  for (const segment of argument.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return ('/' + segments.join('/')) as VirtualPath;
}

export function virtualParent(path: VirtualPath): VirtualPath {
  if (path === VIRTUAL_ROOT) return VIRTUAL_ROOT;
  const parent = path.slice(0, path.lastIndexOf('/'));
  return (parent === '' ? '/' : parent) as VirtualPath;
}

export function virtualName(path: VirtualPath): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function virtualJoin(dir: VirtualPath, name: string): VirtualPath {
  return resolveVirtual(dir, name.replace(/\//g, ''));
}

/** Quotes a path for a 257 reply: embedded double quotes are doubled (RFC 959 Appendix II). */
export function quotePath(path: VirtualPath): string {
  return `"${path.replace(/"/g, '""')}"`;
}
