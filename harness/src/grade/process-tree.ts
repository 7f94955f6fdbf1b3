/**
 * Linux /proc views of a process tree: its members, their resident memory,
 * and the TCP ports they listen on (to tell "listens on the wrong port").
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

interface ProcessInfo {
  ppid: number;
  pgid: number;
  rssKiB: number;
}

async function table(): Promise<Map<number, ProcessInfo>> {
  const processes = new Map<number, ProcessInfo>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const pgid = Number(fields[2]);
      const rssPages = Number(fields[21]);
      processes.set(Number(name), { ppid, pgid, rssKiB: (rssPages * 4096) / 1024 });
    } catch {
      // gone while we looked
    }
  }
  return processes;
}

/** The process, its descendants, and anything left in its process group. */
export async function treeMembers(root: number, known?: Map<number, ProcessInfo>): Promise<number[]> {
  const processes = known ?? (await table());
  const members = new Set<number>();
  if (processes.has(root)) members.add(root);
  for (const [pid, info] of processes) if (info.pgid === root) members.add(pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, info] of processes) {
      if (!members.has(pid) && members.has(info.ppid)) {
        members.add(pid);
        grew = true;
      }
    }
  }
  return [...members];
}

/** Current resident memory in MiB of the tree, from one read of /proc. */
export async function treeRssMiB(root: number): Promise<number> {
  const processes = await table();
  const members = await treeMembers(root, processes);
  return members.reduce((sum, pid) => sum + (processes.get(pid)?.rssKiB ?? 0), 0) / 1024;
}

/** TCP ports in LISTEN state whose sockets belong to the tree. */
export async function listeningPorts(root: number): Promise<number[]> {
  return listeningPortsOf(await treeMembers(root));
}

/** TCP ports in LISTEN state (in the reader's network namespace) whose sockets belong to these processes. */
export async function listeningPortsOf(pids: number[]): Promise<number[]> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) inodes.add(match[1] as string);
    }
  }
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[3] !== '0A' || !inodes.has(columns[9] ?? '')) continue;
      ports.add(parseInt((columns[1] ?? ':0').split(':')[1] ?? '0', 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** SIGTERM to the whole tree, then SIGKILL to whatever is left after `graceMs`. Returns the pids still alive after that (should be none). */
export async function killTree(root: number, graceMs = 2000): Promise<number[]> {
  const signalAll = async (signal: NodeJS.Signals) => {
    for (const pid of await treeMembers(root)) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  await signalAll('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (await treeMembers(root)).length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  await signalAll('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  return treeMembers(root);
}
