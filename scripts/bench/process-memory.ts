/** Peak resident memory of a process and all its descendants, sampled from /proc (Linux). */
import { readdir, readFile } from 'node:fs/promises';

async function processTable(): Promise<Map<number, { ppid: number; rssKiB: number }>> {
  const table = new Map<number, { ppid: number; rssKiB: number }>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = await readFile(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      table.set(Number(name), { ppid, rssKiB });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** Current RSS in MiB of `pid` and its descendants. */
export async function treeRssMiB(pid: number): Promise<number> {
  const table = await processTable();
  const members = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, info] of table) {
      if (!members.has(child) && members.has(info.ppid)) {
        members.add(child);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const member of members) total += table.get(member)?.rssKiB ?? 0;
  return total / 1024;
}

/** Samples until stopped; returns the peak. */
export function samplePeak(pid: number, everyMs = 100): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await treeRssMiB(pid));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
