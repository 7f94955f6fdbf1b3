/**
 * The only module that turns a client path into a place on the disk. A Jail is
 * rooted at one real folder, and it resolves and acts in one step, so that a
 * local process renaming folders or swapping a folder for a symlink meanwhile
 * can never make the server act outside the root (checking a path with
 * realpath and then using it by name leaves exactly that gap).
 *
 * How: the folder that holds the path's last name is opened one name at a
 * time from the root, each with O_NOFOLLOW | O_DIRECTORY, so no name is ever
 * followed as a link by the kernel. A link met on the way is read and followed
 * here, and only when its target lies inside the root. The caller then acts on
 * `/proc/self/fd/<fd>/<name>`: Linux resolves that magic link to the folder the
 * descriptor holds, whatever its name is by then. Handlers open the last name
 * with O_NOFOLLOW, so a link swapped in there at the last moment is refused.
 *
 * Node has no openat(2); the /proc path gives the same guarantee on Linux. The
 * opens are synchronous: a few microseconds each in place, against about ten
 * through the thread pool (docs/performance.md has what the walk costs).
 */
import { closeSync, constants, lstatSync, openSync, readlinkSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { resolveVirtual, VIRTUAL_ROOT, type VirtualPath } from './virtual-path.ts';

declare const realBrand: unique symbol;
/** A place to act on the disk, inside a jail root. Only a Jail makes one. */
export type RealPath = string & { readonly [realBrand]: true };

export class OutsideJailError extends Error {
  constructor(readonly virtual: VirtualPath) {
    super(`path escapes its root: ${virtual}`);
  }
}

/** A resolved client path: where to act, valid until `close()`. */
export interface JailPath {
  readonly virtual: VirtualPath;
  /**
   * `/proc/self/fd/<n>/<name>`: the last name inside the folder held open (or
   * `<n>/.` for the root). Open it with O_NOFOLLOW; never use it after close().
   */
  readonly real: RealPath;
  /** The root joined with the path's names, links followed: a stable name for locks, never for I/O. */
  readonly key: string;
  /** Lets the held folder go. */
  close(): void;
}

/** Flags that open a folder by one name and refuse a symlink in its place. */
const FOLDER = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Links followed in one path before it counts as a loop (the kernel's own limit). */
const MAX_LINKS = 40;

/** The folder an open descriptor holds, whatever it is called now. */
export function heldFolder(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** Where a walk ended: the folder holding the last name, or a link to follow first. */
type Step = { folder: number; name: string } | { names: string[]; mustExist: number };

export class Jail {
  protected constructor(
    /** The root folder, already resolved through symlinks. */
    readonly root: RealPath,
    /** Where a session in this jail starts: its root. */
    readonly start: VirtualPath,
  ) {}

  static async open(rootFolder: string): Promise<Jail> {
    return new Jail((await realpath(rootFolder)) as RealPath, VIRTUAL_ROOT);
  }

  /** The virtual path a client argument names, seen from `cwd`: `..` never climbs above the root. */
  virtualOf(cwd: VirtualPath, argument: string): VirtualPath {
    return resolveVirtual(cwd, argument);
  }

  contains(real: string): boolean {
    return real === this.root || real.startsWith(this.root + sep);
  }

  /** Resolves `argument` against `cwd` and holds the folder of its last name. The caller closes it. */
  async resolve(cwd: VirtualPath, argument: string): Promise<JailPath> {
    return this.pin(this.virtualOf(cwd, argument));
  }

  /**
   * Holds the folder that contains `path`'s last name. A link on the way, or as
   * the last name, is followed when its target lies inside the root and exists;
   * otherwise, and for a loop, OutsideJailError. A missing folder on the way is
   * ENOENT; a missing last name is fine (MKD, STOR create it).
   */
  pin(path: VirtualPath): JailPath {
    let names = path.split('/').filter(Boolean);
    let mustExist = 0;
    for (let links = 0; links <= MAX_LINKS; links++) {
      const step = this.walk(path, names, mustExist);
      if ('names' in step) {
        ({ names, mustExist } = step);
        continue;
      }
      return held(path, step.folder, step.name, join(this.root, ...names));
    }
    throw new OutsideJailError(path);
  }

  /** One walk from the root; names before `mustExist` came from a link's target and must exist. */
  private walk(path: VirtualPath, names: string[], mustExist: number): Step {
    let folder = openSync(this.root, FOLDER);
    let keep = false;
    try {
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const at = `${heldFolder(folder)}/${name}`;
        const last = i === names.length - 1;
        // A folder on the way is opened at once; only when that fails (or for the last name) is it asked whether a link is there.
        const next = last ? null : openFolderOrNull(at);
        if (next !== null) {
          closeSync(folder);
          folder = next;
          continue;
        }
        const link = linkAt(at);
        if (link === NOTHING) {
          // A dangling link is never followed, not even to create its target.
          if (i < mustExist) throw new OutsideJailError(path);
          if (!last) throw Object.assign(new Error(`no such folder: ${name}`), { code: 'ENOENT' });
        } else if (link !== null) {
          return this.follow(path, names.slice(0, i), link, names.slice(i + 1));
        } else if (!last) {
          throw Object.assign(new Error(`not a folder: ${name}`), { code: 'ENOTDIR' });
        }
      }
      if (!this.contains(readlinkSync(heldFolder(folder)))) throw new OutsideJailError(path);
      keep = true;
      return { folder, name: names.length === 0 ? '.' : (names[names.length - 1] as string) };
    } finally {
      if (!keep) closeSync(folder);
    }
  }

  /** The names a link leads to, from the root; OutsideJailError when its target lies outside. */
  private follow(path: VirtualPath, before: string[], target: string, after: string[]): Step {
    let names: string[];
    if (target.startsWith('/')) {
      const relative = posix.relative(this.root, posix.normalize(target));
      if (relative === '..' || relative.startsWith('../') || relative.startsWith('/')) throw new OutsideJailError(path);
      names = relative.split('/').filter(Boolean);
    } else {
      names = [...before];
      for (const segment of target.split('/')) {
        if (segment === '' || segment === '.') continue;
        if (segment !== '..') names.push(segment);
        else if (names.pop() === undefined) throw new OutsideJailError(path);
      }
    }
    return { names: [...names, ...after], mustExist: names.length };
  }
}

/** The folder `at` opened without following a link, or null when it is a link, a file, or missing. */
function openFolderOrNull(at: string): number | null {
  try {
    return openSync(at, FOLDER);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'ENOENT' || code === 'ELOOP') return null;
    throw error;
  }
}

const NOTHING = Symbol('nothing there');

/**
 * A link's target, null when `at` is no link, NOTHING when no entry has that
 * name. Asked with lstat, which answers a missing name without an exception
 * (an exception costs more than the system call).
 */
function linkAt(at: string): string | typeof NOTHING | null {
  const info = lstatSync(at, { throwIfNoEntry: false });
  if (!info) return NOTHING;
  if (!info.isSymbolicLink()) return null;
  try {
    return readlinkSync(at);
  } catch (error) {
    // Swapped for something else since the lstat: no link now, which the open that follows checks again.
    if ((error as NodeJS.ErrnoException).code === 'EINVAL') return null;
    throw error;
  }
}

function held(virtual: VirtualPath, folder: number, name: string, key: string): JailPath {
  let open = true;
  return {
    virtual,
    real: `${heldFolder(folder)}/${name}` as RealPath,
    key,
    close() {
      // Once only: the number may belong to another file soon after.
      if (open) closeSync(folder);
      open = false;
    },
  };
}
