/**
 * The only module that turns a client path into a real one. A Jail is rooted
 * at one real folder; every real path it hands out has been checked to lie
 * inside that folder after resolving symlinks, so a link can never lead out.
 */
import { realpath, lstat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { resolveVirtual, virtualName, virtualParent, type VirtualPath } from './virtual-path.ts';

declare const realBrand: unique symbol;
/** A path on the server's disk, inside a jail root. Only a Jail makes one. */
export type RealPath = string & { readonly [realBrand]: true };

export class OutsideJailError extends Error {
  constructor(readonly virtual: VirtualPath) {
    super(`path escapes its root: ${virtual}`);
  }
}

export class Jail {
  private constructor(
    /** The root folder, already resolved through symlinks. */
    readonly root: RealPath,
  ) {}

  static async open(rootFolder: string): Promise<Jail> {
    return new Jail((await realpath(rootFolder)) as RealPath);
  }

  /** The lexical real path of a virtual one, with no filesystem check. */
  private lexical(path: VirtualPath): string {
    return path === '/' ? this.root : join(this.root, ...path.split('/').filter(Boolean));
  }

  contains(real: string): boolean {
    return real === this.root || real.startsWith(this.root + sep);
  }

  /**
   * The real path of a virtual one. When the path exists, its symlinks are
   * resolved and the result must lie inside the root; when it does not, the same
   * holds for its nearest existing ancestor. Throws OutsideJailError otherwise.
   */
  async toReal(path: VirtualPath): Promise<RealPath> {
    let probe = path;
    const missing: string[] = [];
    for (;;) {
      let resolved: string;
      try {
        resolved = await realpath(this.lexical(probe));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ELOOP') throw new OutsideJailError(path);
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        // A dangling symlink is never followed, not even to create its target.
        if (await isSymlink(this.lexical(probe))) throw new OutsideJailError(path);
        if (probe === '/') throw error;
        missing.unshift(virtualName(probe));
        probe = virtualParent(probe);
        continue;
      }
      if (!this.contains(resolved)) throw new OutsideJailError(path);
      return join(resolved, ...missing) as RealPath;
    }
  }

  /** Resolves `argument` against `cwd` and maps it to a real path in one step. */
  async resolve(cwd: VirtualPath, argument: string): Promise<{ virtual: VirtualPath; real: RealPath }> {
    const virtual = resolveVirtual(cwd, argument);
    return { virtual, real: await this.toReal(virtual) };
  }
}

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}
