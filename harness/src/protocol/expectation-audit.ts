/**
 * Audits spec steps' reply expectations against the reply-code table: a step
 * that wants a refusal must accept every refusal the RFC lists for its
 * command, one that wants a success every listed success, and a code the RFC
 * does not list for the command may be demanded only with a stated reason.
 * Pure: cases in, findings out.
 */
import type { ReplyExpectation, Step } from '../spec/types.ts';
import { COMMAND_REPLIES, GREETING, UNKNOWN_COMMAND_CODES, ANY_COMMAND_CODES, listedReplies, type ListedReplies } from './reply-codes.ts';

export type AuditProblem =
  /** The step wants a refusal but fails some refusal the RFC lists for the command. */
  | 'refuses-listed-error'
  /** The step wants a success but fails some success code the RFC lists. */
  | 'refuses-listed-success'
  /** The step's preliminary expectation fails 125 or 150. */
  | 'refuses-listed-preliminary'
  /** The step names a code the RFC does not list for the command. */
  | 'demands-unlisted';

export interface AuditFinding {
  caseId: string;
  /** Where in the case: `steps[3]`, `steps[2].parallel[1].steps[0]`. */
  step: string;
  /** The command line the expectation is judged for. */
  command: string;
  problem: AuditProblem;
  /** The codes refused (listed ones) or demanded (unlisted ones). */
  codes: number[];
}

export interface AuditableCase {
  id: string;
  steps: readonly Step[];
  cleanup?: readonly Step[];
}

/** One expectation and the command lines it is checked against (a rename's covers RNFR and RNTO). */
interface Judged {
  commands: string[];
  expectation: ReplyExpectation;
  role: 'final' | 'preliminary';
  /** The successes the engine itself can go on from (a login step needs 230 to enter its scratch folder). */
  engineSuccess?: readonly number[];
  /** A REST came first: only then may a transfer answer 554 (RFC 3659 §5.3). */
  afterRest?: boolean;
}

/** RFC 3659 §5.3: the transfer after a REST it cannot honour. */
const REST_REFUSED = 554;

const MODE_VERB: Record<string, string> = { pasv: 'PASV', epsv: 'EPSV', port: 'PORT', eprt: 'EPRT' };

/** Every code worth trying an expectation on: all the table knows, plus the step's own. */
const CANDIDATES = [...new Set([...COMMAND_REPLIES.flatMap((entry) => [...(entry.preliminary ?? []), ...entry.success, ...(entry.intermediate ?? []), ...entry.error]), ...UNKNOWN_COMMAND_CODES, ...ANY_COMMAND_CODES])];

/** What one step's expectations are checked against, by step kind (mirrors what the engine sends). */
function judgedOf(step: Record<string, unknown>): Judged[] {
  const expect = step.expect as ReplyExpectation | undefined;
  const out: Judged[] = [];
  const final = (...commands: string[]) => { if (expect) out.push({ commands, expectation: expect, role: 'final' }); };
  const preliminary = (command: string) => { if (step.preliminary) out.push({ commands: [command], expectation: step.preliminary as ReplyExpectation, role: 'preliminary' }); };
  const mode = MODE_VERB[String(step.mode ?? 'pasv')] ?? 'PASV';
  if (typeof step.send === 'string') final(step.send);
  else if (typeof step.raw === 'string') { const verb = /^[A-Za-z]{3,4}(?=[\s\0]|$)/.exec(step.raw); if (verb) final(step.raw.replace(/[\r\n\0].*$/s, '')); }
  else if (step.connect !== undefined) final(GREETING);
  else if (step.login !== undefined) { if (expect) out.push({ commands: ['USER x', 'PASS x'], expectation: expect, role: 'final', engineSuccess: [230] }); }
  else if (step.quit !== undefined) final('QUIT');
  else if (step.startTls !== undefined) final('AUTH TLS');
  else if (typeof step.cd === 'string') final(`CWD ${step.cd}`);
  else if (typeof step.mkdir === 'string') final(`MKD ${step.mkdir}`);
  else if (typeof step.delete === 'string') final(`DELE ${step.delete}`);
  else if (typeof step.rmdir === 'string') final(`RMD ${step.rmdir}`);
  else if (typeof step.site === 'string') final(`SITE ${step.site}`);
  else if (typeof step.size === 'string') final(`SIZE ${step.size}`);
  else if (step.rename !== undefined) final('RNFR x', 'RNTO x');
  else if (typeof step.openData === 'string') final(MODE_VERB[step.openData] ?? 'PASV');
  else if (step.put !== undefined) { const verb = String(step.command ?? 'STOR'); final(`${verb} x`); preliminary(`${verb} x`); }
  else if (step.get !== undefined) { final('RETR x'); preliminary('RETR x'); }
  if (step.rest !== undefined) for (const judged of out) judged.afterRest = true;
  else if (step.list !== undefined) { const verb = String(step.command ?? 'LIST'); final(verb); preliminary(verb); }
  else if (step.data !== undefined && typeof step.command === 'string') {
    final(step.command);
    preliminary(step.command);
    if (step.open) out.push({ commands: [mode], expectation: step.open as ReplyExpectation, role: 'final' });
  }
  return out;
}

/** The codes among `candidates` an expectation accepts, or null when it judges no code (any reply, or only a close). */
export function acceptedCodes(expectation: ReplyExpectation, candidates: readonly number[]): Set<number> | null {
  const codes = expectation.codes ?? (expectation.code !== undefined ? [expectation.code] : null);
  const classes = expectation.class === undefined ? null : Array.isArray(expectation.class) ? expectation.class : [expectation.class];
  if (!codes && !classes && !expectation.notCodes?.length) return null;
  const pool = new Set([...candidates, ...(codes ?? []), ...(expectation.notCodes ?? [])]);
  return new Set([...pool].filter((code) => (!codes || codes.includes(code)) && (!classes || classes.includes(Math.floor(code / 100))) && !expectation.notCodes?.includes(code)));
}

/** The table's lists for a line; an unknown verb may only be refused with 500/502 (or 421). */
function listsFor(line: string): ListedReplies {
  if (/^\S*\$\{/.test(line.trim())) return { preliminary: [], success: [], intermediate: [], error: [], transferError: [], sources: [] };
  return listedReplies(line) ?? { preliminary: [], success: [], intermediate: [], error: [...UNKNOWN_COMMAND_CODES, ...ANY_COMMAND_CODES], transferError: [], sources: ['RFC 959 §4.2.1'] };
}

function judge(caseId: string, where: string, judged: Judged, loggedIn: boolean): AuditFinding[] {
  const accepted = acceptedCodes(judged.expectation, CANDIDATES);
  if (!accepted) return [];
  const lists = judged.commands.map(listsFor);
  const commandLabel = judged.commands.map((line) => line.split(/\s+/).slice(0, line.toUpperCase().startsWith('SITE ') || line.toUpperCase().startsWith('OPTS ') ? 2 : 1).join(' ')).join('/');
  const findings: AuditFinding[] = [];
  const add = (problem: AuditProblem, codes: number[]) => { if (codes.length > 0) findings.push({ caseId, step: where, command: commandLabel, problem, codes: [...new Set(codes)].sort((a, b) => a - b) }); };
  const acceptedList = [...accepted];
  if (judged.role === 'preliminary') {
    const wanted = [...new Set(lists.flatMap((list) => list.preliminary))].filter((code) => code !== 110);
    add('refuses-listed-preliminary', wanted.filter((code) => !accepted.has(code)));
    return findings;
  }
  // A rename's expectation meets RNFR's refusal or RNTO's reply; a login's USER's or PASS's.
  // 500/502 answer any command a server does not implement (RFC 959 §4.2.1): never an unlisted demand.
  const allListed = new Set([...UNKNOWN_COMMAND_CODES, ...lists.flatMap((list) => [...list.preliminary, ...list.success, ...list.intermediate, ...list.error, ...list.transferError])]);
  const named = judged.expectation.codes ?? (judged.expectation.code !== undefined ? [judged.expectation.code] : []);
  add('demands-unlisted', named.filter((code) => !allListed.has(code)));
  if (acceptedList.some((code) => code >= 400 && code < 600)) {
    // 421 closes the session whatever the command (RFC 959 §4.2.1): the engine reports it as the target's
    // shutdown or limit, so a spec need not list it.
    // 530 Not logged in cannot be the answer of a session that is logged in.
    const possible = (code: number) => !ANY_COMMAND_CODES.includes(code) && !(loggedIn && code === 530) && (code !== REST_REFUSED || judged.afterRest === true);
    add('refuses-listed-error', lists.flatMap((list) => list.error).filter((code) => !accepted.has(code) && possible(code)));
  }
  if (acceptedList.some((code) => code >= 200 && code < 300)) {
    // The last command of a sequence is the one whose success the step wants (RNTO, PASS).
    const last = lists[lists.length - 1] as ListedReplies;
    add('refuses-listed-success', (judged.engineSuccess ?? last.success).filter((code) => !accepted.has(code)));
  }
  return findings;
}

/** Sessions known to be logged in as the steps run in order (a login logs in; USER, REIN or a close undo it). */
type LoginState = Set<string>;

function trackLogin(step: Record<string, unknown>, session: string, state: LoginState): void {
  if (step.login !== undefined) state.add(session);
  else if (step.close !== undefined || step.quit !== undefined || step.connect !== undefined) state.delete(session);
  else if (typeof step.send === 'string' && /^\s*(USER|REIN)\b/i.test(step.send)) state.delete(session);
}

function auditSteps(caseId: string, steps: readonly Step[], path: string, defaultSession: string, state: LoginState): AuditFinding[] {
  return steps.flatMap((step, index) => {
    const where = `${path}[${index}]`;
    const record = step as unknown as Record<string, unknown>;
    if (record.repeat) return auditSteps(caseId, (record.repeat as { steps: Step[] }).steps, `${where}.repeat.steps`, defaultSession, state);
    if (Array.isArray(record.parallel)) {
      return (record.parallel as { session: string; steps: Step[] }[]).flatMap((branch, b) => auditSteps(caseId, branch.steps, `${where}.parallel[${b}].steps`, branch.session, state));
    }
    const session = typeof record.session === 'string' ? record.session : defaultSession;
    const loggedIn = state.has(session) && record.login === undefined;
    const findings = judgedOf(record).flatMap((judged) => judge(caseId, where, judged, loggedIn));
    trackLogin(record, session, state);
    return findings;
  });
}

/** Every expectation of every case that the table says is too narrow or names an unlisted code. */
export function auditExpectations(cases: readonly AuditableCase[]): AuditFinding[] {
  return cases.flatMap((spec) => {
    const state: LoginState = new Set();
    return [...auditSteps(spec.id, spec.steps, 'steps', 'main', state), ...auditSteps(spec.id, spec.cleanup ?? [], 'cleanup', 'main', state)];
  });
}

export function describeFinding(finding: AuditFinding): string {
  const what: Record<AuditProblem, string> = {
    'refuses-listed-error': 'wants a refusal but fails listed refusals',
    'refuses-listed-success': 'wants a success but fails listed successes',
    'refuses-listed-preliminary': 'fails listed preliminary replies',
    'demands-unlisted': 'names codes the RFC does not list',
  };
  return `${finding.caseId} ${finding.step} ${finding.command}: ${what[finding.problem]} ${finding.codes.join(', ')}`;
}
