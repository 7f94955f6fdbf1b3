/**
 * How a transfer shows itself: a bar (bytes, rate, ETA) on a terminal, drawn by
 * cli-progress and cleared when done; elsewhere only the summary line, so a
 * script's output stays one line per transfer.
 */
import { SingleBar } from 'cli-progress';

export interface TransferProgress {
  update(bytes: number): void;
  /** Clears the bar (if any) and returns the summary line. */
  finish(bytes: number): string;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `get big.bin: 20971520 bytes in 0.21 s (95.2 MiB/s)` */
export function summaryLine(label: string, bytes: number, seconds: number): string {
  const rate = seconds > 0 ? `${formatBytes(bytes / seconds)}/s` : 'instant';
  return `${label}: ${bytes} bytes in ${seconds.toFixed(2)} s (${rate})`;
}

export function startProgress(terminal: NodeJS.WriteStream | null, label: string, total: number): TransferProgress {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  if (!terminal) {
    return { update: () => {}, finish: (bytes) => summaryLine(label, bytes, seconds()) };
  }
  const bar = new SingleBar({
    stream: terminal,
    clearOnComplete: true,
    hideCursor: true,
    // Redraw no more than 10 times a second, and only on a terminal (cli-progress's own check).
    fps: 10,
    format: (options, params, payload: { label: string; rate: string; done: string }) => {
      const width = options.barsize ?? 30;
      const filled = Math.round(params.progress * width);
      const eta = params.eta > 0 && Number.isFinite(params.eta) ? `${params.eta} s` : '-';
      return `${payload.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(params.progress * 100)}% ${payload.done}/${formatBytes(params.total)} ${payload.rate} ETA ${eta}`;
    },
  });
  const payloadFor = (bytes: number) => ({ label, done: formatBytes(bytes), rate: `${formatBytes(bytes / Math.max(seconds(), 0.001))}/s` });
  bar.start(Math.max(total, 1), 0, payloadFor(0));
  return {
    update: (bytes) => bar.update(bytes, payloadFor(bytes)),
    finish: (bytes) => {
      bar.stop();
      return summaryLine(label, bytes, seconds());
    },
  };
}
