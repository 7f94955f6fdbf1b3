/**
 * A control group per submission: the kernel enforces its memory limit and
 * process count, counts its OOM kills, and lists every process it holds, so
 * "kill everything it started" cannot miss a setsid'd or double-forked child.
 * cgroup v2 (one hierarchy with memory and pids) is preferred; the v1 memory
 * and pids hierarchies are used where a machine still mounts them.
 */
import { mkdir, readFile, readdir, rmdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

export type CgroupLayout = { version: 2; root: string } | { version: 1; memory: string; pids: string };

/** Where memory and pids controllers can be used, or why they cannot. */
export async function detectCgroups(root = ROOT): Promise<CgroupLayout | { problem: string }> {
  const controllers = await readFile(join(root, 'cgroup.controllers'), 'utf8').catch(() => null);
  if (controllers !== null) {
    const have = controllers.trim().split(/\s+/);
    const missing = ['memory', 'pids'].filter((name) => !have.includes(name));
    if (missing.length > 0) return { problem: `cgroup v2 at ${root} lacks the ${missing.join(' and ')} controller(s)` };
    return { version: 2, root };
  }
  const v1 = { memory: join(root, 'memory'), pids: join(root, 'pids') };
  const mounted = await Promise.all([access(join(v1.memory, 'memory.limit_in_bytes')), access(join(v1.pids, 'cgroup.procs'))].map((p) => p.then(() => true, () => false)));
  if (mounted.every(Boolean)) return { version: 1, ...v1 };
  return { problem: `no cgroup v2 with memory and pids controllers at ${root}, and no cgroup v1 memory and pids hierarchies` };
}

export interface CgroupLimits {
  memoryBytes: number;
  maxProcesses: number;
}

/** One submission's group(s); every method tolerates a group already gone. */
export class SubmissionCgroup {
  private constructor(
    private readonly layout: CgroupLayout,
    /** The leaf directories: one for v2, memory and pids for v1. */
    private readonly dirs: string[],
    private readonly parents: string[],
  ) {}

  /** Makes `<name>/leaf` under each hierarchy, with the limits written before any process joins. */
  static async create(layout: CgroupLayout, name: string, limits: CgroupLimits): Promise<SubmissionCgroup> {
    if (layout.version === 2) {
      const parent = join(layout.root, name);
      await mkdir(parent);
      // A v2 group may hand controllers to children only if it holds no process itself: the leaf holds them.
      await enableControllers(layout.root);
      await writeFile(join(parent, 'cgroup.subtree_control'), '+memory +pids');
      const leaf = join(parent, 'leaf');
      await mkdir(leaf);
      await writeFile(join(leaf, 'memory.max'), String(limits.memoryBytes));
      await writeFile(join(leaf, 'memory.swap.max'), '0').catch(() => {});
      // One OOM kill takes the whole group: a server killed for memory is dead as a whole, not half-alive.
      await writeFile(join(leaf, 'memory.oom.group'), '1').catch(() => {});
      await writeFile(join(leaf, 'pids.max'), String(limits.maxProcesses));
      return new SubmissionCgroup(layout, [leaf], [parent]);
    }
    const memory = join(layout.memory, name);
    const pids = join(layout.pids, name);
    await mkdir(memory);
    await mkdir(pids);
    await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    await writeFile(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(() => {});
    await writeFile(join(pids, 'pids.max'), String(limits.maxProcesses));
    return new SubmissionCgroup(layout, [memory, pids], []);
  }

  /** The cgroup.procs files a launcher writes its own pid into before it execs the sandbox. */
  procsFiles(): string[] {
    return this.dirs.map((dir) => join(dir, 'cgroup.procs'));
  }

  private get memoryDir(): string {
    return this.dirs[0] as string;
  }

  private get pidsDir(): string {
    return this.dirs[this.dirs.length - 1] as string;
  }

  /** How many times the kernel's OOM killer killed a process of the group. */
  async oomKills(): Promise<number> {
    const file = this.layout.version === 2 ? 'memory.events' : 'memory.oom_control';
    const text = await readFile(join(this.memoryDir, file), 'utf8').catch(() => '');
    return Number(/^oom_kill (\d+)/m.exec(text)?.[1] ?? 0);
  }

  /** The most memory the group used, MiB (0 where the kernel does not keep it). */
  async peakMiB(): Promise<number> {
    const file = this.layout.version === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes';
    const text = await readFile(join(this.memoryDir, file), 'utf8').catch(() => '0');
    return Number(text.trim()) / 1024 / 1024;
  }

  /** How often a fork or clone was refused because the group hit its process limit. */
  async refusedForks(): Promise<number> {
    const text = await readFile(join(this.pidsDir, 'pids.events'), 'utf8').catch(() => '');
    return Number(/^max (\d+)/m.exec(text)?.[1] ?? 0);
  }

  /** The pids the group holds now (host view). */
  async members(): Promise<number[]> {
    const seen = new Set<number>();
    for (const file of this.procsFiles()) {
      const text = await readFile(file, 'utf8').catch(() => '');
      for (const line of text.split('\n')) if (line.trim()) seen.add(Number(line));
    }
    return [...seen];
  }

  /** SIGKILLs every member until none is left (cgroup.kill on v2; a loop over the members on v1). Returns those still there after `timeoutMs`. */
  async killAll(timeoutMs = 5000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const members = await this.members();
      if (members.length === 0 || Date.now() > deadline) return members;
      if (this.layout.version === 2) await writeFile(join(this.memoryDir, 'cgroup.kill'), '1').catch(() => {});
      for (const pid of members) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Kills what is left and removes the group(s). */
  async remove(): Promise<number[]> {
    const leftovers = await this.killAll();
    for (const dir of [...this.dirs, ...this.parents]) {
      // An emptied group can take a moment to become removable.
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          await rmdir(dir);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
    return leftovers;
  }
}

/** The root group must hand memory and pids to its children; systemd usually does, a bare machine may not. */
async function enableControllers(root: string): Promise<void> {
  const current = await readFile(join(root, 'cgroup.subtree_control'), 'utf8').catch(() => '');
  const missing = ['memory', 'pids'].filter((name) => !current.split(/\s+/).includes(name));
  if (missing.length > 0) await writeFile(join(root, 'cgroup.subtree_control'), missing.map((name) => `+${name}`).join(' '));
}

/**
 * Groups left by a grader that was killed before it could remove them (`ftp-check-<pid>-…` whose pid is gone).
 * Only empty groups are removed (rmdir refuses the others); no process is touched.
 */
export async function removeStaleGroups(layout: CgroupLayout): Promise<void> {
  const roots = layout.version === 2 ? [layout.root] : [layout.memory, layout.pids];
  for (const root of roots) {
    for (const name of await readdir(root).catch(() => [] as string[])) {
      const owner = /^ftp-check-(\d+)-\d+$/.exec(name)?.[1];
      if (!owner || (await access(`/proc/${owner}`).then(() => true, () => false))) continue;
      await rmdir(join(root, name, 'leaf')).catch(() => {});
      await rmdir(join(root, name)).catch(() => {});
    }
  }
}
