/**
 * Marks from results, pure: per suite the weighted share of passed cases
 * (or all-or-nothing), required cases that zero a suite or cap the total,
 * and penalties for a server that crashed, hung, needed a restart or ran out
 * of memory. A skipped case earns nothing: the feature it checks is missing.
 * A not-checked case (its setup could not be done) earns nothing either, but is
 * counted apart: it is not the server's failure.
 */
import { globToRegExp } from '../engine/expect-fail.ts';
import type { CaseResult } from '../engine/results.ts';
import type { Rubric } from './rubric.ts';
import { maxPoints } from './rubric.ts';

export type PenaltyKind = 'crashed' | 'hung' | 'restarted' | 'memory';

export interface Penalty {
  kind: PenaltyKind;
  points: number;
  detail: string;
}

export interface SuiteScore {
  suite: string;
  points: number;
  earned: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Cases whose setup could not be done (e.g. an account the target lacks): they earn nothing, and blame nobody. */
  notChecked: number;
  total: number;
  /** Required cases of the suite that did not pass (the suite then earns 0). */
  requiredFailed: string[];
}

export interface Grade {
  student: string;
  earned: number;
  max: number;
  percent: number;
  passed: boolean;
  suites: SuiteScore[];
  penalties: Penalty[];
  /** What went wrong with the server as a process (did not start, crashed …). */
  problems: string[];
  /** Why the total was capped, if it was. */
  capped?: string;
  /** The last lines the server wrote on stderr (a crash's own explanation). */
  serverStderr?: string;
  results: CaseResult[];
}

const round = (value: number) => Math.round(value * 100) / 100;

export function caseCounts(rubric: Rubric, suite: string, id: string): boolean {
  const marks = rubric.suites[suite];
  if (!marks) return false;
  return !marks.cases || marks.cases.some((glob) => globToRegExp(glob).test(id));
}

export function scoreSuite(rubric: Rubric, suite: string, results: CaseResult[]): SuiteScore {
  const marks = rubric.suites[suite];
  const mine = results.filter((r) => r.info.suite === suite && caseCounts(rubric, suite, r.info.id));
  const weight = (id: string) => marks?.weights?.[id] ?? 1;
  const total = mine.reduce((sum, r) => sum + weight(r.info.id), 0);
  const earnedWeight = mine.filter((r) => r.status === 'passed').reduce((sum, r) => sum + weight(r.info.id), 0);
  const requiredFailed = (marks?.required ?? []).filter((id) => mine.find((r) => r.info.id === id)?.status !== 'passed');
  const points = marks?.points ?? 0;
  let earned = total === 0 ? 0 : (points * earnedWeight) / total;
  if (marks?.partial === false && earnedWeight < total) earned = 0;
  if (requiredFailed.length > 0) earned = 0;
  return {
    suite,
    points,
    earned: round(earned),
    passed: mine.filter((r) => r.status === 'passed').length,
    failed: mine.filter((r) => r.status === 'failed' || r.status === 'warned').length,
    skipped: mine.filter((r) => r.status === 'skipped').length,
    notChecked: mine.filter((r) => r.status === 'not-checked').length,
    total: mine.length,
    requiredFailed,
  };
}

export function grade(student: string, rubric: Rubric, results: CaseResult[], penalties: Penalty[], problems: string[]): Grade {
  const suites = Object.keys(rubric.suites).map((suite) => scoreSuite(rubric, suite, results));
  const max = maxPoints(rubric);
  let earned = suites.reduce((sum, s) => sum + s.earned, 0) - penalties.reduce((sum, p) => sum + p.points, 0);
  let capped: string | undefined;
  const requiredFailed = (rubric.required ?? []).filter((id) => results.find((r) => r.info.id === id)?.status !== 'passed');
  if (requiredFailed.length > 0 && earned > (rubric.requiredCap ?? 0)) {
    earned = rubric.requiredCap ?? 0;
    capped = `required case(s) not passed: ${requiredFailed.join(', ')} (the total is capped at ${rubric.requiredCap ?? 0})`;
  }
  earned = Math.max(0, round(earned));
  const percent = max === 0 ? 0 : round((100 * earned) / max);
  return { student, earned, max, percent, passed: percent >= rubric.passMark, suites, penalties, problems, capped, results };
}
