/**
 * Checks an outcome against a step's expectation, pure: the result is null
 * (it holds) or a Failure with what was expected and what came.
 */
import type { Outcome } from '../wire/outcome.ts';
import type { Reply } from '../wire/reply-parser.ts';
import type { DataExpectation, ReplyExpectation } from '../spec/types.ts';
import type { Failure } from './results.ts';

export function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === 'reply') return describeReply(outcome.reply);
  if (outcome.kind === 'closed') return `the connection was closed (${outcome.reason})`;
  return `no reply within ${outcome.afterMs} ms`;
}

export function describeReply(reply: Reply): string {
  const text = reply.lines.length > 1 ? `${reply.lines[0]} … (${reply.lines.length} lines)` : (reply.lines[0] ?? '');
  return `reply "${text.length > 200 ? `${text.slice(0, 200)}…` : text}"`;
}

/**
 * A pattern a reader can take in at a glance is shown as it is; a long one or one with lookaheads is
 * replaced by the spec's `because` (the spec audit makes sure every such pattern has one).
 */
export function isPlainPattern(pattern: string): boolean {
  return pattern.length <= 40 && !/\(\?[=!<]|\[\\s\\S\]/.test(pattern);
}

/** `data matching /x/`; a pattern too long to read is named by the spec's `because`, or said to be the case's. */
function shownPattern(kind: string, pattern: string, because?: string): string {
  if (isPlainPattern(pattern)) return `${kind} /${pattern}/`;
  return because ?? `${kind} the case's pattern (too long to show)`;
}

export function describeExpectation(expectation: ReplyExpectation): string[] {
  const parts: string[] = [];
  const codes = expectation.codes ?? (expectation.code !== undefined ? [expectation.code] : []);
  const classes = expectation.class === undefined ? [] : Array.isArray(expectation.class) ? expectation.class : [expectation.class];
  if (codes.length > 0) parts.push(`reply ${codes.join(' or ')}`);
  if (classes.length > 0) parts.push(`a ${classes.map((c) => `${c}xx`).join(' or ')} reply`);
  if (expectation.notCodes?.length) parts.push(`not ${expectation.notCodes.join(' or ')}`);
  // A reply's `because` is shown after the parts anyway.
  if (expectation.text) parts.push(shownPattern('text matching', expectation.text));
  if (expectation.notText) parts.push(shownPattern('text not matching', expectation.notText));
  if (expectation.minLines) parts.push(`at least ${expectation.minLines} lines`);
  const described = parts.length > 0 ? [parts.join(', ')] : [];
  if (expectation.closed) described.push(`${described.length ? 'then ' : ''}the connection closed`);
  if (expectation.orClosed) described.push('or the connection closed');
  if (expectation.because) described.push(`(${expectation.because})`);
  return described.length > 0 ? described : ['any reply'];
}

function replyMatches(reply: Reply, expectation: ReplyExpectation): boolean {
  const codes = expectation.codes ?? (expectation.code !== undefined ? [expectation.code] : null);
  if (codes && !codes.includes(reply.code)) return false;
  if (expectation.class !== undefined) {
    const classes = Array.isArray(expectation.class) ? expectation.class : [expectation.class];
    if (!classes.includes(Math.floor(reply.code / 100))) return false;
  }
  if (expectation.notCodes?.includes(reply.code)) return false;
  if (expectation.text && !new RegExp(expectation.text, 'i').test(reply.message)) return false;
  if (expectation.notText && new RegExp(expectation.notText, 'i').test(reply.message)) return false;
  if (expectation.minLines && reply.lines.length < expectation.minLines) return false;
  return true;
}

function replyFacts(reply: Reply): { code: number; text: string } {
  return { code: reply.code, text: reply.message };
}

/**
 * Does `outcome` satisfy `expectation`? For `closed`, the outcome given is
 * the reply read before the close (if any) and `closedAfter` tells whether
 * the connection then closed.
 */
export function checkReply(outcome: Outcome, expectation: ReplyExpectation, step: string, closedAfter?: boolean): Failure | null {
  const expected = describeExpectation(expectation);
  const hasReplyRules = expectation.code !== undefined || expectation.codes !== undefined || expectation.class !== undefined || expectation.text !== undefined;
  if (outcome.kind === 'closed') {
    if (expectation.closed || expectation.orClosed) return null;
    return { step, expected, actual: describeOutcome(outcome), observed: 'closed' };
  }
  if (outcome.kind === 'timeout') return { step, expected, actual: describeOutcome(outcome), observed: 'timeout' };
  if (expectation.closed) {
    if (hasReplyRules && !replyMatches(outcome.reply, expectation)) return { step, expected, actual: describeOutcome(outcome), observed: 'reply', reply: replyFacts(outcome.reply) };
    if (closedAfter === false) return { step, expected, actual: `${describeOutcome(outcome)}, and the connection stayed open`, observed: 'reply', reply: replyFacts(outcome.reply) };
    return null;
  }
  if (!replyMatches(outcome.reply, expectation)) return { step, expected, actual: describeOutcome(outcome), observed: 'reply', reply: replyFacts(outcome.reply) };
  return null;
}

/** Captures variables from a reply's message: each regex's first group. */
export function captureFrom(reply: Reply, capture: Record<string, string>): { values: Map<string, string>; missing: string[] } {
  const values = new Map<string, string>();
  const missing: string[] = [];
  for (const [name, pattern] of Object.entries(capture)) {
    const match = new RegExp(pattern, 'i').exec(reply.message);
    if (match && match[1] !== undefined) values.set(name, match[1]);
    else missing.push(`${name} (/${pattern}/)`);
  }
  return { values, missing };
}

/** Checks received data; `resolved` maps equalsContentOf names to the remembered bytes. */
export function checkData(data: Buffer, expectation: DataExpectation, step: string, remembered: (name: string) => Buffer | undefined, length?: number): Failure | null {
  const failure = firstDataMismatch(data, expectation, step, remembered, length);
  return failure && { ...failure, observed: 'data' };
}

function firstDataMismatch(data: Buffer, expectation: DataExpectation, step: string, remembered: (name: string) => Buffer | undefined, length?: number): Failure | null {
  // Decoded once, and only for a text expectation: decoding a big binary download costs more than comparing it.
  let decoded: string | undefined;
  const textOf = () => (decoded ??= data.toString('utf8'));
  const preview = () => {
    const text = textOf();
    return text.length > 300 ? `${JSON.stringify(text.slice(0, 300))}… (${data.length} bytes)` : JSON.stringify(text);
  };
  for (const needle of expectation.contains ?? []) {
    if (!textOf().includes(needle)) return { step, expected: [`data containing ${JSON.stringify(needle)}`], actual: `data ${preview()}` };
  }
  for (const needle of expectation.notContains ?? []) {
    if (textOf().includes(needle)) return { step, expected: [`data without ${JSON.stringify(needle)}`], actual: `data ${preview()}` };
  }
  if (expectation.matches && !new RegExp(expectation.matches, 'm').test(textOf())) return { step, expected: [shownPattern('data matching', expectation.matches, expectation.because)], actual: `data ${preview()}` };
  if (expectation.notMatches && new RegExp(expectation.notMatches, 'm').test(textOf())) return { step, expected: [shownPattern('data not matching', expectation.notMatches, expectation.because)], actual: `data ${preview()}` };
  if (length !== undefined && data.length !== length) return { step, expected: [`${length} bytes`], actual: `${data.length} bytes` };
  if (expectation.equals !== undefined && textOf() !== expectation.equals) return { step, expected: [`data ${JSON.stringify(expectation.equals)}`], actual: `data ${preview()}` };
  if (expectation.equalsContentOf) {
    const wanted = remembered(expectation.equalsContentOf);
    if (!wanted) return { step, expected: [`remembered content "${expectation.equalsContentOf}"`], actual: 'nothing remembered under that name (spec error)' };
    if (!wanted.equals(data)) {
      const firstDiff = firstDifference(wanted, data);
      return { step, expected: [`the ${wanted.length} bytes uploaded as "${expectation.equalsContentOf}"`], actual: `${data.length} bytes, first difference at byte ${firstDiff}` };
    }
  }
  if (expectation.equalsOneOf) {
    const candidates = expectation.equalsOneOf.map((name) => ({ name, content: remembered(name) }));
    const missing = candidates.find((candidate) => !candidate.content);
    if (missing) return { step, expected: [`remembered content "${missing.name}"`], actual: 'nothing remembered under that name (spec error)' };
    if (!candidates.some((candidate) => candidate.content!.equals(data))) {
      const differences = candidates.map((candidate) => `"${candidate.name}" (${candidate.content!.length} bytes) from byte ${firstDifference(candidate.content!, data)}`);
      return { step, expected: [`one of the contents remembered as ${expectation.equalsOneOf.map((name) => `"${name}"`).join(', ')}, whole`], actual: `${data.length} bytes that differ from ${differences.join(' and from ')}` };
    }
  }
  return null;
}

function firstDifference(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return length;
}
