import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRubric, RubricError, fillTemplate, maxPoints } from './rubric.ts';
import { grade, scoreSuite } from './score.ts';
import { renderGradebookCsv, renderGradebookMarkdown, rank } from './gradebook.ts';
import { renderStudentHtml, renderStudentMarkdown } from './student-report.ts';
import { splitCommand } from './submission.ts';
import { referenceLink } from './references.ts';
import type { CaseResult, CaseStatus } from '../engine/results.ts';

const RUBRIC = parseRubric(
  `name: Test lab
accounts: { provision: none }
suites:
  rfc959: { points: 10, weights: { rfc959.b: 3 } }
  jail: { points: 20, required: [jail.a] }
  quota: { points: 10, partial: false }
required: [rfc959.a]
requiredCap: 5
penalties: { crashed: 4 }
passMark: 50
`,
  'test.yaml',
);

function result(id: string, status: CaseStatus): CaseResult {
  const suite = id.split('.')[0] as string;
  return {
    info: { id, suite, title: `title of ${id}`, severity: 'major', level: 'must', references: ['RFC 959 §4.1.3', 'CWE-22'], warning: `warning of ${id} <b>`, file: 'x.yaml:1' },
    status,
    durationMs: 1,
    failure: status === 'failed' ? { step: 'step 2: send X', expected: ['reply 250'], actual: 'reply "550 no"' } : undefined,
    reason: status === 'skipped' ? 'the target does not offer HASH' : undefined,
    transcript: [{ atMs: 1, direction: 'sent', channel: 'main', text: 'X' }],
  };
}

test('rubric defaults, template filling and schema errors with lines', () => {
  assert.equal(RUBRIC.timeLimitSeconds, 300);
  assert.equal(RUBRIC.penalties.crashed, 4);
  assert.equal(RUBRIC.penalties.hung, 10);
  assert.equal(maxPoints(RUBRIC), 40);
  assert.equal(fillTemplate('--port {port} --user {user.name} {unknown}', { port: '21', 'user.name': 'a' }), '--port 21 --user a {unknown}');
  assert.throws(() => parseRubric('name: x\naccounts: { provision: maybe }\nsuites: { a: { points: 1 } }\n', 'bad.yaml'), (error: unknown) => error instanceof RubricError && /bad\.yaml:2: accounts\/provision: must be equal to one of/.test(error.message));
  assert.throws(() => parseRubric('name: x\naccounts: { provision: none }\nsuites: { a: { pints: 1 } }\n', 'bad.yaml'), /"pints"/);
});

test('weighted partial credit, all-or-nothing, required cases and penalties', () => {
  const results = [result('rfc959.a', 'passed'), result('rfc959.b', 'failed'), result('jail.a', 'passed'), result('jail.b', 'skipped'), result('quota.a', 'passed'), result('quota.b', 'failed')];
  const rfc = scoreSuite(RUBRIC, 'rfc959', results);
  assert.equal(rfc.earned, 2.5, 'a passes with weight 1 of 4');
  assert.equal(scoreSuite(RUBRIC, 'jail', results).earned, 10, 'a skipped case earns nothing');
  assert.equal(scoreSuite(RUBRIC, 'quota', results).earned, 0, 'all or nothing');
  const withPenalty = grade('s', RUBRIC, results, [{ kind: 'crashed', points: 4, detail: 'died' }], []);
  assert.equal(withPenalty.earned, 8.5);
  assert.equal(withPenalty.percent, 21.25);
  assert.equal(withPenalty.passed, false);
  const jailRequired = scoreSuite(RUBRIC, 'jail', [result('jail.a', 'failed'), result('jail.b', 'passed')]);
  assert.equal(jailRequired.earned, 0);
  assert.deepEqual(jailRequired.requiredFailed, ['jail.a']);
  const capped = grade('s', RUBRIC, [result('rfc959.a', 'failed'), result('rfc959.b', 'passed'), result('jail.a', 'passed'), result('quota.a', 'passed')], [], []);
  assert.equal(capped.earned, 5);
  assert.match(capped.capped ?? '', /rfc959\.a/);
});

test('gradebook ranks best first and escapes CSV; reports carry score, warnings and links', () => {
  const good = grade('good', RUBRIC, [result('rfc959.a', 'passed'), result('rfc959.b', 'passed'), result('jail.a', 'passed'), result('quota.a', 'passed')], [], []);
  const bad = grade('bad, "quoted"', RUBRIC, [result('rfc959.a', 'passed'), result('rfc959.b', 'failed')], [], ['the server exited at start (exit code 3)']);
  assert.deepEqual(rank([bad, good]).map((g) => g.student), ['good', 'bad, "quoted"']);
  const csv = renderGradebookCsv([bad, good]);
  assert.match(csv, /^rank,student,rfc959,jail,quota,penalties,total,max,percent,result,problems\n1,good,10,20,10,0,40,40,100,pass,\n2,"bad, ""quoted""",2.5,0,0,0,2.5,40,6.25,fail,the server exited at start \(exit code 3\)\n$/);
  assert.match(renderGradebookMarkdown([bad, good], 'T'), /\| 1 \| \[good\]\(good\/report\.html\) \| 10\/10 \| 20\/20 \| 10\/10 \|/);
  const html = renderStudentHtml(bad, RUBRIC);
  assert.match(html, /id="score">2\.5 \/ 40 \(6\.25%\) FAIL/);
  assert.match(html, /warning of rfc959\.b &lt;b&gt;/, 'text is escaped');
  assert.match(html, /href="https:\/\/www\.rfc-editor\.org\/rfc\/rfc959#section-4\.1\.3"/);
  assert.doesNotMatch(html, /<script/);
  const markdown = renderStudentMarkdown(bad, RUBRIC);
  assert.match(markdown, /^# bad, "quoted": 2\.5 \/ 40 \(6\.25%\) — FAIL/);
  assert.match(markdown, /- expected: reply 250\n- actual: reply "550 no"/);
});

test('start commands are split without a shell; references get links', () => {
  assert.deepEqual(splitCommand(`python3 "my server.py" --port {port} --name 'a b' ''`), ['python3', 'my server.py', '--port', '{port}', '--name', 'a b', '']);
  assert.throws(() => splitCommand('python3 "unclosed'), /unclosed/);
  assert.equal(referenceLink('CWE-22'), 'https://cwe.mitre.org/data/definitions/22.html');
  assert.equal(referenceLink('CVE-2011-2523 (vsftpd backdoor)'), 'https://www.cve.org/CVERecord?id=CVE-2011-2523');
  assert.equal(referenceLink('Lab A: users log in'), null);
});
