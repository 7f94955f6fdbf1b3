/**
 * The only module that turns a client path into a real one. A Jail is rooted
 * at one real folder; every real path it hands out has been checked to lie
 * inside that folder after resolving symlinks, so a link can never lead out.
 * Paths are resolved with the synchronous realpath(3): a few microseconds in
 * place against about ten through the thread pool, on every command that names
 * a path (measured with the session benchmark, docs/performance.md).
 */
import { lstatSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { resolveVirtual, virtualName, virtualParent, VIRTUAL_ROOT, type VirtualPath } from './virtual-path.ts';
import { faultyLexical, faultyRoot, faultyTail, faultyVirtual, skipsContainment, type Faults } from '../faults/jail-mapping.ts';

declare const realBrand: unique symbol;
/** A path on the server's disk, inside a jail root. Only a Jail makes one. */
export type RealPath = string & { readonly [realBrand]: true };

export class OutsideJailError extends Error {
  constructor(readonly virtual: VirtualPath) {
    super(`path escapes its root: ${virtual}`);
  }
}

const NO_FAULTS: Faults = new Set();

export class Jail {
  private constructor(
    /** The root folder, already resolved through symlinks. */
    readonly root: RealPath,
    /** Where a session in this jail starts: its root. */
    readonly start: VirtualPath,
    /** Test-only misbehaviours (faults/jail.ts); empty in every real run. */
    private readonly faults: Faults,
  ) {}

  /** `faults` is for ftp-check's own tests only (faults/index.ts). */
  static async open(rootFolder: string, faults: Faults = NO_FAULTS): Promise<Jail> {
    const faulty = faults.size > 0 ? await faultyRoot(rootFolder, faults) : null;
    if (faulty) return new Jail((await realpath(faulty.root)) as RealPath, faulty.start, faults);
    return new Jail((await realpath(rootFolder)) as RealPath, VIRTUAL_ROOT, faults);
  }

  /** The virtual path a client argument names, seen from `cwd`: `..` never climbs above the root. */
  virtualOf(cwd: VirtualPath, argument: string): VirtualPath {
    return (this.faults.size > 0 ? faultyVirtual(this.root, cwd, argument, this.faults) : null) ?? resolveVirtual(cwd, argument);
  }

  /** The lexical real path of a virtual one, with no filesystem check. */
  private lexical(path: VirtualPath): string {
    if (this.faults.size > 0) return faultyLexical(this.root, path, this.faults);
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
        resolved = realpathSync.native(this.lexical(probe));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ELOOP') throw new OutsideJailError(path);
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        // A dangling symlink is never followed, not even to create its target.
        if (isSymlink(this.lexical(probe))) throw new OutsideJailError(path);
        if (probe === '/') throw error;
        missing.unshift(virtualName(probe));
        probe = virtualParent(probe);
        continue;
      }
      if (!this.contains(resolved) && !skipsContainment(this.faults)) throw new OutsideJailError(path);
      return (this.faults.size > 0 ? faultyTail(resolved, missing, this.faults) : join(resolved, ...missing)) as RealPath;
    }
  }

  /** Resolves `argument` against `cwd` and maps it to a real path in one step. */
  async resolve(cwd: VirtualPath, argument: string): Promise<{ virtual: VirtualPath; real: RealPath }> {
    const virtual = this.virtualOf(cwd, argument);
    return { virtual, real: await this.toReal(virtual) };
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
