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
  if ('login' in s) return ['USER', 'PASS'];
  if ('quit' in s) return ['QUIT'];
  return [];
}

/** Does the step want the command to work (a 2xx, or no stated expectation)? A refusal case is no root of a cascade. */
function wantsSuccess(step: Record<string, unknown>): boolean {
  const expect = step.expect as { code?: number; codes?: number[]; class?: number | number[] } | undefined;
  if (!expect) return true;
  const codes = expect.codes ?? (expect.code !== undefined ? [expect.code] : []);
  const classes = expect.class === undefined ? [] : Array.isArray(expect.class) ? expect.class : [expect.class];
  return codes.some((code) => code >= 200 && code < 400) || classes.some((c) => c === 2 || c === 3);
}

function checkedVerbs(steps: readonly Step[], inherited?: boolean): string[] {
  const verbs: string[] = [];
  for (const step of steps) {
    const s = step as unknown as Record<string, unknown>;
    const own = typeof s.check === 'boolean' ? s.check : inherited;
    if ('repeat' in step) verbs.push(...checkedVerbs(step.repeat.steps, own));
    else if ('parallel' in step) for (const branch of step.parallel) verbs.push(...checkedVerbs(branch.steps, own));
    else if (isCheckStep(s, inherited) && wantsSuccess(s)) verbs.push(...verbsOf(step));
  }
  return verbs;
}

/** Steps in all, those inside repeat and parallel included: a short case checks one thing. */
function stepCount(steps: readonly Step[]): number {
  let count = 0;
  for (const step of steps) {
    if ('repeat' in step) count += stepCount(step.repeat.steps) * 2;
    else if ('parallel' in step) count += step.parallel.reduce((sum, branch) => sum + stepCount(branch.steps), 0);
    else count += 1;
  }
  return count;
}

/**
 * For each verb, the case that checks it most directly: among the cases whose check steps want it to work,
 * rfc959's first (its cases check the commands themselves), an RFC basis before a hardening one, then the
 * one with the fewest steps.
 */
export function rootCases(cases: readonly LoadedCase[]): Map<string, string> {
  const best = new Map<string, LoadedCase>();
  // A case named after the command (rfc959.appe-appends for APPE, auth.login-* for USER) is about it.
  const named = (spec: LoadedCase, verb: string) => (['USER', 'PASS'].includes(verb) ? /login/ : new RegExp(`\\b${verb.toLowerCase().replace(' ', '-')}\\b`)).test(spec.id);
  const rank = (spec: LoadedCase, verb: string) =>
    (spec.suite === 'rfc959' ? 0 : 1000) + (spec.basis === 'hardening' ? 500 : 0) + (named(spec, verb) ? 0 : 300) + stepCount(spec.steps);
  for (const spec of cases) {
    for (const verb of new Set(checkedVerbs(spec.steps))) {
      const current = best.get(verb);
      if (!current || rank(spec, verb) < rank(current, verb)) best.set(verb, spec);
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
