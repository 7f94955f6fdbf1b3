/**
 * The reporters a run asks for, and the one way to feed them an event. Each
 * reporter is independent: one failing (a report folder not writable) does not
 * keep the others from their event.
 */
import type { Reporter, RunEvent } from '../engine/results.ts';
import { createConsoleReporter } from './console.ts';
import type { ConsoleReporterOptions } from './console.ts';
import { createJsonReporter } from './json.ts';
import { createJUnitReporter } from './junit.ts';
import { createTapReporter } from './tap.ts';
import { safeEvent } from './safe-event.ts';

export { createConsoleReporter, createJsonReporter, createJUnitReporter, createTapReporter };
export type { ConsoleReporterOptions };

export interface ReporterOptions {
  console?: ConsoleReporterOptions;
  /** Paths of report files, written on run-end (folders are created). */
  junit?: string;
  tap?: string;
  json?: string;
}

/** A reporter that sees every event with its server text escaped (safe-event.ts). */
function fedSafely(reporter: Reporter): Reporter {
  return { onEvent: (event) => reporter.onEvent(safeEvent(event)) };
}

/** The reporters asked for; each sees server text escaped, whatever the server sent. */
export function createReporters(options: ReporterOptions): Reporter[] {
  const reporters: Reporter[] = [];
  if (options.console) reporters.push(createConsoleReporter(options.console));
  if (options.junit !== undefined) reporters.push(createJUnitReporter(options.junit));
  if (options.tap !== undefined) reporters.push(createTapReporter(options.tap));
  if (options.json !== undefined) reporters.push(createJsonReporter(options.json));
  return reporters.map(fedSafely);
}

/** A reporter that threw or rejected; `errors` holds each cause. */
export class ReporterError extends AggregateError {
  constructor(errors: unknown[], eventType: RunEvent['type']) {
    super(errors, `${errors.length} reporter${errors.length === 1 ? '' : 's'} failed on ${eventType}`);
    this.name = 'ReporterError';
  }
}

/**
 * Hands the event to every reporter, in order (console output keeps its order),
 * then throws a ReporterError if any of them failed.
 */
export async function emit(reporters: readonly Reporter[], event: RunEvent): Promise<void> {
  const errors: unknown[] = [];
  for (const reporter of reporters) {
    try {
      await reporter.onEvent(event);
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new ReporterError(errors, event.type);
}
