import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRubric, RubricError, fillTemplate, maxPoints } from './rubric.ts';
import { grade, scoreSuite } from './score.ts';
import { renderGradebookCsv, renderGradebookMarkdown, rank } from './gradebook.ts';
import { renderStudentHtml, renderStudentMarkdown } from './student-report.ts';
import { splitWords } from '../cli/split-words.ts';
import { referenceLink } from './references.ts';
import { redactForStudent, redactHostData } from './redact.ts';
import { escapeMarkdown, uniqueProblems } from './student-report.ts';
import { StderrTail } from './stderr-tail.ts';
import { defaultJobs, failedCaseLines } from './grade-command.ts';
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
  assert.deepEqual(splitWords(`python3 "my server.py" --port {port} --name 'a b' ''`), ['python3', 'my server.py', '--port', '{port}', '--name', 'a b', '']);
  assert.throws(() => splitWords('python3 "unclosed'), /unclosed/);
  assert.equal(referenceLink('CWE-22'), 'https://cwe.mitre.org/data/definitions/22.html');
  assert.equal(referenceLink('CVE-2011-2523 (vsftpd backdoor)'), 'https://www.cve.org/CVERecord?id=CVE-2011-2523');
  assert.equal(referenceLink('Lab A: users log in'), null);
});

test('host files in a jail case are reported by path and size with a short excerpt, never whole', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\r\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\r\n';
  const actual = `data ${JSON.stringify(passwd)}… (1433 bytes)`;
  assert.equal(redactHostData(actual, 'step 2: get ../../etc/passwd'), `1433 bytes of the grading machine's file or folder (asked for ../../etc/passwd), starting "root:x:0:0:…" (the rest is withheld from this report)`);
  assert.match(redactHostData('Status of "/":\n-rw-r--r-- 1 root root 3040 adduser.conf\nEnd of status.', 'step 3: assert (x)'), /^3 lines \(\d+ bytes\) of the grading machine's files, starting "Status of \\"…"/);
  assert.equal(redactHostData('reply "550 No such file"', 'step 2: send RETR x'), 'reply "550 No such file"', 'a one-line reply is the server\'s own text');
  const jail = { ...result('jail.host-retr', 'failed'), failure: { step: 'step 2: get ../../etc/passwd', expected: ['no data'], actual }, transcript: [
    { atMs: 1, direction: 'received' as const, channel: 'main', text: '211-Status' },
    { atMs: 2, direction: 'received' as const, channel: 'main', text: '-rw-r--r-- 1 root root 1433 passwd' },
    { atMs: 3, direction: 'received' as const, channel: 'main', text: 'drwxr-xr-x 2 root root 4096 ssh' },
    { atMs: 4, direction: 'received' as const, channel: 'main', text: '211 End' },
  ] };
  const redacted = redactForStudent(jail);
  assert.doesNotMatch(JSON.stringify(redacted), /daemon:x:1:1|passwd$|ssh/);
  assert.deepEqual(redacted.transcript.map((e) => e.text), ['211-Status', '2 line(s) of the reply withheld from this report', '211 End']);
  const other = result('rfc959.a', 'failed');
  assert.equal(redactForStudent(other), other, 'other suites are left as they are (their data is what ftp-check uploaded)');
});

test('reports: server text escaped in Markdown, multi-line values in <pre>, spec Markdown rendered, stderr shown, problems once', () => {
  assert.equal(escapeMarkdown('<img src=x> *bold* [a](b) `x` | y'), '\\<img src=x\\> \\*bold\\* \\[a\\](b) \\`x\\` \\| y');
  const failing = { ...result('rfc959.b', 'failed'), info: { ...result('rfc959.b', 'failed').info, title: 'STOR with `..` is *refused*', warning: 'A <script>alert(1)</script> in `code`' }, failure: { step: 'step 2: send LIST', expected: ['reply 226'], actual: 'line one\nline <two>' } };
  const withStderr = { ...grade('s', RUBRIC, [result('rfc959.a', 'passed'), failing], [{ kind: 'hung', points: 10, detail: 'it hangs' }], ['it hangs', 'it hangs', 'exited']), serverStderr: 'Traceback\n  KeyError: <x>' };
  assert.deepEqual(uniqueProblems(withStderr), ['exited']);
  const html = renderStudentHtml(withStderr, RUBRIC);
  assert.match(html, /STOR with <code>\.\.<\/code> is <em>refused<\/em>/);
  assert.match(html, /A &lt;script&gt;alert\(1\)&lt;\/script&gt; in <code>code<\/code>/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /<pre>line one\nline &lt;two&gt;<\/pre>/);
  assert.match(html, /<pre id="stderr">Traceback\n {2}KeyError: &lt;x&gt;<\/pre>/);
  const markdown = renderStudentMarkdown(withStderr, RUBRIC);
  assert.match(markdown, /- actual:\n\n```\nline one\nline <two>\n```/);
  assert.match(markdown, /## The last lines your server wrote on stderr\n\n```\nTraceback\n {2}KeyError: <x>\n```/);
  assert.equal(markdown.match(/it hangs/g)?.length, 1, 'a problem named by a penalty is listed once');
  assert.equal(renderGradebookCsv([withStderr]).match(/it hangs/g)?.length, 1);
  assert.deepEqual(failedCaseLines(withStderr), ['  ✗ rfc959.b: STOR with `..` is *refused* — got line one ⏎ line <two>']);
});

test('not-checked cases earn nothing and are counted apart from failures', () => {
  const notChecked = { ...result('jail.a', 'skipped'), status: 'not-checked' as CaseStatus, reason: "not checked: the rubric's accounts do not exist on the target (user student1)" };
  const score = scoreSuite(RUBRIC, 'jail', [notChecked, result('jail.b', 'passed')]);
  assert.equal(score.notChecked, 1);
  assert.equal(score.failed, 0);
  const marked = grade('t', RUBRIC, [result('rfc959.a', 'passed'), notChecked, result('jail.b', 'passed')], [], []);
  assert.match(renderStudentMarkdown(marked, RUBRIC), /## Not checked \(1\): no marks, and not the server's fault\n\n- not checked: the rubric's accounts do not exist on the target \(user student1\): jail\.a/);
  assert.match(renderStudentHtml(marked, RUBRIC), /<h2 id="not-checked">Not checked \(1\)/);
});

test('a stderr tail keeps the last lines, bounded, without control characters', () => {
  const tail = new StderrTail();
  for (let i = 0; i < 100; i++) tail.push(Buffer.from(`line ${i}\n`));
  tail.push(Buffer.from('bell \u0007 here\n\n'));
  const lines = tail.text().split('\n');
  assert.equal(lines.length, 12);
  assert.equal(lines[lines.length - 1], 'bell ? here');
  assert.equal(lines[0], 'line 89');
});

test('--jobs defaults to the cores, bounded by free memory at the rubric\'s limit', () => {
  const rubric = { ...RUBRIC, memoryLimitMiB: 512 };
  assert.equal(defaultJobs(rubric, 2, 24 * 1024 ** 3), 2);
  assert.equal(defaultJobs(rubric, 32, 24 * 1024 ** 3), 16);
  assert.equal(defaultJobs(rubric, 8, 2 * 1024 ** 3), 2, '2 GiB holds two graders at 512 + 200 MiB');
  assert.equal(defaultJobs(rubric, 8, 100 * 1024 ** 2), 1);
});
