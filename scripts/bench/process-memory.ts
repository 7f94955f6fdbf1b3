/** Peak resident memory of a process and all its descendants, sampled from /proc (Linux) through grade's process-tree view. */
import { treeRssMiB } from '../../harness/src/grade/process-tree.ts';

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
