/**
 * Turns what went wrong in a case into its verdict and the words a reader is
 * shown, pure. A check step's wrong answer is a failure; any other step's is
 * "not checked", since nothing was learnt about the requirement. The case's
 * story is told only when the server answered and the answer was wrong: a
 * closed connection or silence gets a plain account of what happened instead.
 */
import type { StepRoleName } from './case-context.ts';
import type { CaseInfo, Failure } from './results.ts';

export interface StepProblem {
  failure: Failure;
  role: StepRoleName;
  /** The failing step's own story, when it has one. */
  stepWarning?: string;
  /** The step checks data: its story tells what the data held, not what the reply was. */
  checksData?: boolean;
}

export type Verdict =
  | { status: 'failed'; failure: Failure; message: string }
  | { status: 'not-checked'; failure: Failure; reason: string };

/** What a step that only prepares the check was for, by the label's step kind or scaffolding note. */
const PURPOSES: Array<[RegExp, string]> = [
  [/\(greeting\)|^connect \(/, 'to connect'],
  [/\(scratch MKD\)/, "to make the case's scratch folder"],
  [/\(CWD scratch\)/, "to enter the case's scratch folder"],
  [/\(PWD\)/, "to find the account's root"],
  [/\((?:AUTH TLS|PBSZ|PROT P|TLS handshake)\)/, 'to protect the session with TLS'],
  [/\((?:PASV|EPSV|PORT|EPRT)\)/, 'to open a data connection'],
  [/\(REST\)/, 'to set the restart point'],
  [/: login /, 'to log in'],
  [/: startTls/, 'to protect the session with TLS'],
  [/: list /, 'to see the folder'],
  [/: get /, 'to download the file the check reads'],
  [/: put /, 'to upload the file the check needs'],
  [/: mkdir /, 'to make a folder the check needs'],
  [/: cd /, 'to enter the folder the check uses'],
  [/: (?:delete|rmdir|rename) /, 'to arrange the files the check uses'],
  [/: connect/, 'to open the session the check uses'],
];

export function purposeOf(step: string): string {
  return PURPOSES.find(([pattern]) => pattern.test(step))?.[1] ?? 'to prepare the check';
}

function expectedWords(failure: Failure): string {
  return failure.expected.length > 0 ? failure.expected.join(' or ') : 'another outcome';
}

/** `<step>: expected …, got … (a step needed to <purpose>)`: what went wrong on the way. */
export function notCheckedReason(failure: Failure): string {
  return `${failure.step.trimEnd()}: expected ${expectedWords(failure)}, got ${failure.actual} (a step needed ${purposeOf(failure.step)})`;
}

/**
 * The message of a failed check: the story when the server gave the wrong answer the story is about, else
 * what it did instead — closed, went silent, sent a preliminary reply where a final one was due, or, at a
 * step that checks data, answered with a reply other than the one wanted before any data was seen.
 */
export function failureMessage(info: CaseInfo, failure: Failure, stepWarning?: string, checksData = false): string {
  const plain = (did: string) => `At ${failure.step} the server ${did} where the check expected ${expectedWords(failure)}, so the requirement "${info.title}" does not hold.`;
  if (failure.observed === 'closed') return plain('closed the connection');
  if (failure.observed === 'timeout') return plain('did not answer in time');
  if (failure.reply && failure.reply.code < 200) return plain(`answered ${failure.actual.slice(6)}, a preliminary reply,`);
  if (failure.observed === 'reply' && checksData) return plain(`answered ${failure.actual.slice(6)}`);
  return stepWarning?.trim() ?? info.warning;
}

export function verdictOf(info: CaseInfo, problem: StepProblem): Verdict {
  if (problem.role === 'setup') return { status: 'not-checked', failure: problem.failure, reason: notCheckedReason(problem.failure) };
  return { status: 'failed', failure: problem.failure, message: failureMessage(info, problem.failure, problem.stepWarning, problem.checksData) };
}
