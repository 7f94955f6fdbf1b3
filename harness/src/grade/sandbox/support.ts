/**
 * Can this machine build the submission sandbox? It needs root (to make
 * cgroups, namespaces and a throw-away uid), bubblewrap and setpriv, and a
 * cgroup hierarchy with the memory and pids controllers. The answer names
 * what is missing, so a teacher knows what to install or where to run.
 */
import { accessSync, constants } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { delimiter, join } from 'node:path';
import { detectCgroups, removeStaleGroups, SubmissionCgroup, type CgroupLayout } from './cgroup.ts';
import type { SystemEntry } from './bwrap-args.ts';

export interface SandboxSupport {
  layout: CgroupLayout;
  bwrap: string;
}

export interface SupportProbe {
  platform: string;
  uid: number;
  findTool: (name: string) => string | null;
  detectCgroups: () => Promise<CgroupLayout | { problem: string }>;
  /** Makes and removes a trial group, to learn whether we may write there. */
  trial: (layout: CgroupLayout) => Promise<void>;
}

/** The full path of a program on PATH, or null. */
export function findProgram(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return null;
}

const realProbe: SupportProbe = {
  platform: process.platform,
  uid: process.getuid?.() ?? -1,
  findTool: (name) => findProgram(name),
  detectCgroups: () => detectCgroups(),
  trial: async (layout) => {
    await removeStaleGroups(layout);
    const group = await SubmissionCgroup.create(layout, `ftp-check-trial-${process.pid}-${randomInt(1e9)}`, { memoryBytes: 64 << 20, maxProcesses: 16 });
    await group.remove();
  },
};

export async function sandboxSupport(probe: SupportProbe = realProbe): Promise<SandboxSupport | { problem: string }> {
  if (probe.platform !== 'linux') return { problem: `the sandbox needs Linux (this is ${probe.platform})` };
  if (probe.uid !== 0) return { problem: 'the sandbox needs root (cgroups, namespaces and a throw-away uid per submission): run grade as root' };
  const bwrap = probe.findTool('bwrap');
  if (!bwrap) return { problem: 'bubblewrap (bwrap) is not installed: apt-get install bubblewrap' };
  if (!probe.findTool('setpriv')) return { problem: 'setpriv (util-linux) is not installed' };
  const layout = await probe.detectCgroups();
  if ('problem' in layout) return layout;
  try {
    await probe.trial(layout);
  } catch (error) {
    return { problem: `cannot make a control group for a submission (${(error as Error).message})` };
  }
  return { layout, bwrap };
}

/** The system folders a program needs, as they are on this machine (usr-merged systems have symlinks). */
export async function systemEntries(): Promise<SystemEntry[]> {
  const entries: SystemEntry[] = [];
  for (const path of ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32']) {
    const info = await lstat(path).catch(() => null);
    if (!info) continue;
    if (info.isSymbolicLink()) entries.push({ path, kind: 'symlink', target: await readlink(path) });
    else if (info.isDirectory()) entries.push({ path, kind: 'dir' });
  }
  return entries;
}

/** A uid no account and no other submission uses: above every system and login range, picked at random per start. */
export function throwAwayUid(): number {
  return 1_500_000_000 + randomInt(500_000_000);
}
