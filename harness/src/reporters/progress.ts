/**
 * The live progress line of `ftp-check run`: cases done of all, failures so
 * far, the case that has been running longest (and for how long), elapsed time.
 * A reporter like the others, fed only by run events; it draws on a terminal
 * and nowhere else (no carriage returns in CI logs), and is redrawn on a timer
 * so that a case waiting on a server's timer never looks like a hang.
 */
import type { Reporter, RunEvent } from '../engine/results.ts';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface ProgressState {
  total: number;
  done: number;
  failed: number;
  /** Case id to the time it started, in start order. */
  running: ReadonlyMap<string, number>;
  startedAt: number;
}

const seconds = (ms: number) => `${Math.max(0, Math.floor(ms / 1000))}s`;

/** The line itself (pure): never wider than `columns`, the counts first so they survive a narrow terminal. */
export function renderProgressLine(state: ProgressState, now: number, columns?: number): string {
  const parts = [`[${state.done}/${state.total}]`, `${state.failed} failed`, seconds(now - state.startedAt)];
  const [oldest] = state.running;
  if (oldest) {
    const more = state.running.size - 1;
    parts.push(`running ${oldest[0]} ${seconds(now - oldest[1])}${more > 0 ? ` (+${more})` : ''}`);
  }
  const line = parts.join(' · ');
  const width = Math.max(20, (columns || 80) - 1);
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

const CLEAR_LINE = '\r\x1b[K';

export interface ProgressReporter extends Reporter {
  /** Wraps a writer of other output so the line is lifted off before it and drawn again after. */
  around(write: (text: string) => void): (text: string) => void;
}

/** A progress reporter drawing on `stream`, or null when the stream is not a terminal. */
export function createProgressReporter(stream: ProgressStream, options: { redrawMs?: number; now?: () => number } = {}): ProgressReporter | null {
  if (!stream.isTTY) return null;
  const now = options.now ?? Date.now;
  const running = new Map<string, number>();
  const state = { total: 0, done: 0, failed: 0, running, startedAt: now() };
  let shown = false;
  let timer: NodeJS.Timeout | null = null;

  const draw = () => {
    stream.write(`${CLEAR_LINE}${renderProgressLine(state, now(), stream.columns)}`);
    shown = true;
  };
  const lift = () => {
    if (shown) stream.write(CLEAR_LINE);
    shown = false;
  };

  return {
    onEvent(event: RunEvent): void {
      switch (event.type) {
        case 'run-start':
          Object.assign(state, { total: event.cases.length, done: 0, failed: 0, startedAt: now() });
          running.clear();
          timer = setInterval(draw, options.redrawMs ?? 500);
          timer.unref();
          break;
        case 'case-start':
          running.set(event.info.id, now());
          break;
        case 'case-end':
          running.delete(event.result.info.id);
          state.done += 1;
          if (event.result.status === 'failed') state.failed += 1;
          break;
        case 'run-end':
          if (timer) clearInterval(timer);
          timer = null;
          lift();
          return;
      }
      draw();
    },
    around(write) {
      return (text) => {
        const wasShown = shown;
        lift();
        write(text);
        if (wasShown && timer) draw();
      };
    },
  };
}
