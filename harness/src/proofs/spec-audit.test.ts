/**
 * Every bundled case's reply expectations against the reply-code table
 * (RFC 959 §5.4 and its successors): a refusal the RFC lists for a command is
 * accepted wherever a case only wants a refusal, and a case that asks for one
 * particular code does so for a reason written down here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledCases } from './run-against.ts';
import { auditExpectations, describeFinding, type AuditFinding, type AuditProblem } from '../protocol/expectation-audit.ts';
import { isCheckStep } from '../engine/steps.ts';
import type { Step } from '../spec/types.ts';

interface Justified {
  /** Only these problems are excused (all when absent). */
  problems?: AuditProblem[];
  reason: string;
}

const FILE_MANAGER_552 = 'the file-manager protocol (its Quota section) answers an upload or copy over the limit with 552, the RFC 959 §4.2 code for "Exceeded storage allocation"; the quota suite runs only for targets with a quota account';

const FILE_MANAGER_530 = 'the file-manager protocol answers 530 to every command but the login ones before login; an answer about the file (550, 553, 350) tells a stranger what exists. The bare refusal is RFC-level in rfc959.before-login-530';

/** Cases that ask for one code on purpose. Each reason names the rule that makes that code the requirement. */
const JUSTIFIED: Record<string, Justified> = {
  'auth.before-login-file-transfer-530': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_530 },
  'auth.before-login-rename-530': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_530 },
  'auth.before-login-mkd-rmd-dele-530': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_530 },
  'auth.before-login-size-mdtm-530': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_530 },
  'auth.before-login-site-copy-530': { problems: ['refuses-listed-error'], reason: `${FILE_MANAGER_530}; SITE CPFR/CPTO before login is CVE-2015-3306` },
  'auth.pass-without-user-503': { problems: ['refuses-listed-error'], reason: 'SHOULD-level: 503 Bad sequence of commands is the code RFC 959 §5.4 lists for PASS out of sequence; the refusal itself is the MUST of auth.pass-without-user-refused' },
  'rfc959.eprt-unknown-protocol-522': { problems: ['refuses-listed-error'], reason: 'SHOULD-level: RFC 2428 §2 defines 522 for a network protocol the server does not support (RFC 1123 §4.1.2.11: use the defined codes)' },
  'rfc959.epsv-unknown-protocol-522': { problems: ['refuses-listed-error'], reason: 'SHOULD-level: RFC 2428 §3 defines 522 for EPSV with a protocol the server does not support' },
  'rfc959.eprt-bad-syntax-501': { problems: ['refuses-listed-error'], reason: 'SHOULD-level: RFC 2428 §2 asks 501 for a syntactically wrong EPRT argument' },
  'rfc959.port-bad-syntax-501': { problems: ['refuses-listed-error'], reason: 'SHOULD-level: RFC 959 §4.2.1 501 "Syntax error in parameters or arguments" (500 is for an unrecognized command)' },
  'rfc959.missing-argument-501': { problems: ['refuses-listed-error'], reason: 'SHOULD-level: a missing argument is RFC 959 §4.2.1\'s 501; that the commands are refused at all is the MUST of rfc959.missing-argument-refused' },
  'rfc959.stat-211': { problems: ['refuses-listed-success'], reason: 'STAT without an argument is the server\'s status: RFC 959 §4.1.3 and §4.2.1 211 "System status"; 212/213 answer STAT of a path' },
  'rfc959.multiline-well-formed': { problems: ['refuses-listed-success'], reason: 'STAT without an argument answers 211 (RFC 959 §4.1.3, §4.2.1)' },
  'robustness.empty-command': { reason: 'after an answered empty line every reply comes one command late: the PWD step may read the SYST reply (215), the MKD step the PWD one (257); the case checks the shift stays one reply' },
  'quota.delete-frees-space': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.upload-just-over-limit': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.many-small-files': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.stor-over-limit-nothing-kept': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.appe-over-limit-keeps-old-length': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.rest-stor-over-limit-keeps-old-length': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.stou-over-limit-nothing-kept': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.copy-over-limit-refused': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.session-works-after-552': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.no-path-around-limit': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
  'quota.limit-holds-across-sessions': { problems: ['refuses-listed-error'], reason: FILE_MANAGER_552 },
};

function isJustified(finding: AuditFinding): boolean {
  const entry = JUSTIFIED[finding.caseId];
  return entry !== undefined && (entry.problems === undefined || entry.problems.includes(finding.problem));
}

test('every expectation accepts what the RFC lists, or says why not', async () => {
  const findings = auditExpectations(await bundledCases()).filter((finding) => !isJustified(finding));
  assert.deepEqual(findings.map(describeFinding), [], 'expectations narrower than the reply-code table, with no reason in JUSTIFIED');
});

test('every justification is still needed and names a reason', async () => {
  const findings = auditExpectations(await bundledCases());
  const used = new Set(findings.filter(isJustified).map((finding) => finding.caseId));
  const stale = Object.keys(JUSTIFIED).filter((id) => !used.has(id));
  assert.deepEqual(stale, [], 'justified cases whose expectations now match the table');
  for (const [id, entry] of Object.entries(JUSTIFIED)) assert.ok(entry.reason.length > 20, `${id} needs a real reason`);
});

/** Whether any step (repeat and parallel children included) is a check, as the engine decides it. */
function hasCheck(steps: readonly Step[], inherited?: boolean): boolean {
  return steps.some((step) => {
    const record = step as unknown as Record<string, unknown>;
    const own = typeof record.check === 'boolean' ? record.check : inherited;
    if ('repeat' in step) return hasCheck(step.repeat.steps, own);
    if ('parallel' in step) return step.parallel.some((branch) => hasCheck(branch.steps, own));
    return isCheckStep(record, inherited);
  });
}

test('every case has a step that checks its requirement', async () => {
  const without = (await bundledCases()).filter((spec) => !hasCheck(spec.steps)).map((spec) => spec.id);
  assert.deepEqual(without, [], 'cases whose every step is setup: a failure there could only ever be "not checked"');
});

/** Data expectations whose pattern a reader cannot take in at a glance: lookaheads, or longer than 40 characters. */
function rawPatterns(spec: { id: string; steps: readonly Step[]; cleanup?: readonly Step[] }): string[] {
  const found: string[] = [];
  const walk = (steps: readonly Step[]) => {
    for (const step of steps) {
      if ('repeat' in step) walk(step.repeat.steps);
      else if ('parallel' in step) for (const branch of step.parallel) walk(branch.steps);
      else {
        const record = step as unknown as Record<string, { matches?: string; notMatches?: string; because?: string } | undefined>;
        for (const data of [record.data, record.received]) {
          if (!data || typeof data !== 'object' || data.because) continue;
          for (const pattern of [data.matches, data.notMatches]) if (pattern && (pattern.length > 40 || pattern.includes('(?'))) found.push(`${spec.id}: /${pattern.slice(0, 40)}…/`);
        }
      }
    }
  };
  walk(spec.steps);
  walk(spec.cleanup ?? []);
  return found;
}

test('every long or lookahead pattern on data says in words what it looks for (because)', async () => {
  assert.deepEqual((await bundledCases()).flatMap(rawPatterns), []);
});
