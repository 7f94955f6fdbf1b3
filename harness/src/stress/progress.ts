/**
 * The live progress line: a cli-progress bar fed by the runner's `tick` events,
 * and only on a terminal. Piped to a file or run in CI, it draws nothing at all
 * (no carriage returns in logs). It holds no runner state: it only listens.
 */
import cliProgress from 'cli-progress';
import type { StressRunner, TickEvent } from './runner.ts';
import { formatBytes } from './table.ts';

export interface ProgressStream extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/** Time left, from the share of the planned run done so far ('-' before any). */
export function eta(tick: TickEvent): string {
  if (tick.phase === 'drain') return 'draining';
  if (!(tick.progress > 0)) return '-';
  const seconds = Math.max(0, Math.round((tick.elapsedMs * (1 - Math.min(1, tick.progress))) / tick.progress / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** The payload shown, as plain words (pure, tested without a terminal). */
export function progressFields(tick: TickEvent): Record<string, string> {
  return {
    // Not `eta`: cli-progress fills that one itself, from the bar's value alone.
    timeleft: eta(tick),
    phase: tick.phase === 'warmup' ? 'warm-up' : tick.phase,
    elapsed: `${(tick.elapsedMs / 1000).toFixed(0)}s`,
    iterations: String(tick.iterations),
    rate: String(tick.opsLastSecond),
    p99: tick.p99Ms === null ? '-' : tick.p99Ms.toFixed(1),
    errors: String(tick.errors),
    inflight: String(tick.inFlight),
    down: formatBytes(tick.bytesDown),
    up: formatBytes(tick.bytesUp),
  };
}

/**
 * Most wanted first: a terminal cuts the line at its width (80 columns is
 * common), so the error count and the time left come right after the bar.
 */
export const FORMAT = '{bar} {percentage}% ETA {timeleft} | errors {errors} | {rate} ops/s | p99 {p99} ms | {phase} {elapsed} | {iterations} it | in flight {inflight} | ↓{down} ↑{up}';
export const BAR_SIZE = 12;

/** Draws the progress of `runner` on `stream` if it is a TTY; returns whether it does. */
export function attachProgress(runner: StressRunner, stream: ProgressStream): boolean {
  if (!stream.isTTY) return false;
  const bar = new cliProgress.SingleBar({ format: FORMAT, stream, barsize: BAR_SIZE, hideCursor: true, clearOnComplete: true, fps: 4 }, cliProgress.Presets.shades_classic);
  let started = false;
  runner.on('tick', (tick) => {
    const fields = progressFields(tick);
    const value = Math.round(tick.progress * 1000);
    if (!started) {
      bar.start(1000, value, fields);
      started = true;
    } else {
      bar.update(value, fields);
    }
  });
  runner.on('warning', (text) => {
    if (started) bar.stop();
    stream.write(`WARNING: ${text}\n`);
    started = false;
  });
  runner.on('done', () => {
    if (started) bar.stop();
    started = false;
  });
  return true;
}
