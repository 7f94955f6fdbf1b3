/**
 * Where a cascade leads back to: for each FTP verb, the case that checks it.
 * When a setup step fails because the server answered a basic command wrongly
 * (NLST refused, MKD refused), the cases that merely used that command are
 * "not checked" and point here, so the root cause is reported once, by the
 * case whose requirement it is. Pure: cases in, a map out.
 */
import type { LoadedCase, Step } from '../spec/types.ts';
import { isCheckStep } from './steps.ts';

/** The verbs a step sends, as far as the spec says without running it. */
export function verbsOf(step: Step): string[] {
  const s = step as unknown as Record<string, unknown>;
  const first = (line: unknown) => (typeof line === 'string' ? (line.trim().split(/\s+/)[0] ?? '').toUpperCase() : '');
  if ('send' in s) return [first(s.send)].filter((verb) => /^[A-Z]{3,4}$/.test(verb));
  if ('cd' in s) return ['CWD'];
  if ('mkdir' in s) return ['MKD'];
  if ('delete' in s) return ['DELE'];
  if ('rmdir' in s) return ['RMD'];
  if ('rename' in s) return ['RNFR', 'RNTO'];
  if ('size' in s) return ['SIZE'];
  if ('site' in s) return [`SITE ${first(s.site)}`];
  if ('put' in s) return [typeof s.command === 'string' ? s.command : 'STOR'];
  if ('get' in s) return ['RETR'];
  if ('list' in s) return [typeof s.command === 'string' ? s.command : 'LIST'];
  if ('openData' in s) return [String(s.openData).toUpperCase()];
  if ('startTls' in s) return ['AUTH'];
  if ('quit' in s) return ['QUIT'];
  return [];
}

function checkedVerbs(steps: readonly Step[], inherited?: boolean): string[] {
  const verbs: string[] = [];
  for (const step of steps) {
    const s = step as unknown as Record<string, unknown>;
    const own = typeof s.check === 'boolean' ? s.check : inherited;
    if ('repeat' in step) verbs.push(...checkedVerbs(step.repeat.steps, own));
    else if ('parallel' in step) for (const branch of step.parallel) verbs.push(...checkedVerbs(branch.steps, own));
    else if (isCheckStep(s, inherited)) verbs.push(...verbsOf(step));
  }
  return verbs;
}

/**
 * For each verb, the case that checks it most directly: the one with the fewest steps among those whose
 * check steps send it, the rfc959 suite first (its cases check the commands themselves).
 */
export function rootCases(cases: readonly LoadedCase[]): Map<string, string> {
  const best = new Map<string, LoadedCase>();
  const rank = (spec: LoadedCase) => (spec.suite === 'rfc959' ? 0 : 1000) + spec.steps.length;
  for (const spec of cases) {
    for (const verb of new Set(checkedVerbs(spec.steps))) {
      const current = best.get(verb);
      if (!current || rank(spec) < rank(current)) best.set(verb, spec);
    }
  }
  return new Map([...best].map(([verb, spec]) => [verb, spec.id]));
}

/** The verb of a command line ftp-check sent (`SITE CPFR` for SITE lines). */
export function verbOfLine(line: string): string {
  const words = line.trim().split(/\s+/);
  const verb = (words[0] ?? '').toUpperCase();
  return verb === 'SITE' && words[1] ? `SITE ${words[1].toUpperCase()}` : verb;
}
