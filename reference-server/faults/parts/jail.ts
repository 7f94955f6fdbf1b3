/**
 * The jail faults (../jail.ts): a user's jail that maps client paths to the
 * disk the way a naive server does (../jail-mapping.ts). Administrators and
 * anonymous keep the correct jail.
 */
import { realpath } from 'node:fs/promises';
import { Jail, type JailPath, type RealPath } from '../../src/vfs/jail.ts';
import { VIRTUAL_ROOT, type VirtualPath } from '../../src/vfs/virtual-path.ts';
import type { ServerParts } from '../../src/server-parts.ts';
import { faultyResolve, faultyRoot, faultyVirtual, mapsPathsFaultily, type Faults } from '../jail-mapping.ts';
import { JAIL_FAULTS } from '../jail.ts';
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';

class NaiveJail extends Jail {
  private constructor(root: RealPath, start: VirtualPath, private readonly faults: Faults) {
    super(root, start);
  }

  static async openNaive(home: string, faults: Faults): Promise<Jail> {
    const moved = await faultyRoot(home, faults);
    return new NaiveJail((await realpath(moved?.root ?? home)) as RealPath, moved?.start ?? VIRTUAL_ROOT, faults);
  }

  override virtualOf(cwd: VirtualPath, argument: string): VirtualPath {
    return faultyVirtual(this.root, cwd, argument, this.faults) ?? super.virtualOf(cwd, argument);
  }

  override pin(path: VirtualPath): JailPath {
    return mapsPathsFaultily(this.faults) ? faultyResolve(this.root, path, this.faults) : super.pin(path);
  }
}

/** The jail faults switched on so far, per openJail part made here. */
const faultsOf = new WeakMap<ServerParts['openJail'], Faults>();

function naiveUserJails(parts: ServerParts, name: FaultName): ServerParts {
  const correct = parts.openJail;
  const faults = new Set([...(faultsOf.get(correct) ?? []), name]);
  const openJail: ServerParts['openJail'] = (root, role) => (role === 'user' ? NaiveJail.openNaive(root, faults) : correct(root, role));
  faultsOf.set(openJail, faults);
  return { ...parts, openJail };
}

/**
 * Each jail fault's server maps paths by name (so its errors carry real paths);
 * some also misread lines or leak paths in replies (parts/session.ts, parts/navigation.ts).
 */
export const JAIL_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = Object.fromEntries(
  (Object.keys(JAIL_FAULTS) as FaultName[]).map((name) => [name, { parts: (parts: ServerParts) => naiveUserJails(parts, name) }]),
);
