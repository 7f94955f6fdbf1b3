import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderResultsPage, renderSuitePage, staleVerdicts, type Report } from './results-page.ts';

const report: Report = {
  startedAt: '2026-12-02T17:51:54.937Z',
  summary: {},
  cases: [
    { id: 'rfc959.feat-syntax', suite: 'rfc959', title: 'FEAT', severity: 'major', level: 'must', status: 'failed', failure: { step: 'step 2: send FEAT', expected: ['reply 211', '(every line starts with a space)'], actual: 'reply "500 | no FEAT"' } },
    { id: 'rfc959.help-214', suite: 'rfc959', title: 'HELP', severity: 'minor', level: 'must', status: 'failed', failure: { step: 'step 2: send HELP', expected: ['reply 211', 'reply 214'], actual: 'reply "502"' } },
    { id: 'rfc959.noop-200', suite: 'rfc959', title: 'NOOP', severity: 'minor', level: 'must', status: 'passed', failure: null },
    { id: 'rfc959.mlst', suite: 'rfc959', title: 'MLST', severity: 'minor', level: 'must', status: 'skipped', failure: null, reason: 'the target does not offer MLST' },
  ],
};

test('every failure becomes a row with its verdict, and one without a verdict says so', () => {
  const page = renderResultsPage({
    peer: 'demo',
    version: '1.0',
    command: 'peer-check demo',
    report,
    verdicts: { 'rfc959.feat-syntax': { verdict: 'false-alarm', basis: 'RFC 2389 §3: 500 or 502', fix: 'skip' } },
  });
  assert.match(page, /^# demo 1\.0: every failure, judged/);
  assert.match(page, /do not edit by hand/);
  assert.match(page, /\| rfc959\.feat-syntax \| must \| step 2: send FEAT: expected reply 211 \(every line starts with a space\); got reply "500 \\\| no FEAT" \| \*\*false alarm\*\* \| RFC 2389 §3: 500 or 502 — fix: skip \|/);
  assert.match(page, /\| rfc959\.help-214 \| must \| step 2: send HELP: expected reply 211 or reply 214; got reply "502" \| \*\*not yet judged\*\* \|/);
  assert.doesNotMatch(page, /noop-200/, 'passed cases are not listed');
  assert.match(page, /- 1 × the target does not offer MLST/);
  assert.match(page, /4 cases: 2 failed, 1 passed, 1 skipped\. Verdicts on the failures: 1 false alarm\./);
});

test('cases left out of the run are listed with their verdict', () => {
  const page = renderResultsPage({
    peer: 'demo',
    version: '1.0',
    command: 'c',
    report,
    verdicts: {},
    leftOut: { 'jail.nul-dele-truncation': { verdict: 'genuine', basis: 'RFC 959 §4.2', note: 'the server crashes' } },
  });
  assert.match(page, /## Left out of the run/);
  assert.match(page, /\| jail\.nul-dele-truncation \| \*\*genuine\*\* \| the server crashes — RFC 959 §4\.2 \|/);
  assert.match(page, /Verdicts \(failed and left-out cases\): 1 genuine\./);
});

test('control bytes of raw steps are shown as escapes, so the page stays text', () => {
  const raw: Report = {
    ...report,
    cases: [{ id: 'jail.cr', suite: 'jail', title: 'CR', severity: 'major', level: 'must', status: 'failed', failure: { step: 'step 3: raw DELE keep.txt\rjunk\x00\x1b[2J', actual: 'reply "250"' } }],
  };
  const page = renderResultsPage({ peer: 'demo', version: '1', command: 'c', report: raw, verdicts: {} });
  assert.match(page, /raw DELE keep\.txt\\rjunk\\x00\\x1b\[2J/);
  assert.doesNotMatch(page, /[\x00-\x08\x0b-\x1f]/);
});

test('verdicts for cases that did not fail are reported as stale', () => {
  assert.deepEqual(staleVerdicts(report, { 'rfc959.noop-200': { verdict: 'genuine', basis: 'x' }, 'rfc959.help-214': { verdict: 'genuine', basis: 'y' } }), ['rfc959.noop-200']);
});

test('a suite page has one column per peer and lists only the cases that did not pass everywhere', () => {
  const other: Report = {
    ...report,
    cases: report.cases.map((testCase) => (testCase.id === 'rfc959.help-214' ? { ...testCase, status: 'passed', failure: null } : testCase)),
  };
  const page = renderSuitePage({
    suite: 'rfc959',
    peers: [
      { peer: 'one', report, verdicts: { 'rfc959.help-214': { verdict: 'genuine', basis: 'b' } } },
      { peer: 'two', report: other, verdicts: {} },
      { peer: 'three', report: undefined, verdicts: {}, leftOut: { 'rfc959.nul': { verdict: 'genuine', basis: 'crash' } } },
    ],
  });
  assert.match(page, /^# rfc959 suite against the peer servers/);
  assert.match(page, /5 cases\. 1 pass on every peer that ran them; 1 are skipped on every peer; the rest:/);
  assert.match(page, /\| case \| \[one\]\(one\.md\) \| \[two\]\(two\.md\) \| \[three\]\(three\.md\) \|/);
  assert.match(page, /\| rfc959\.help-214 \| \*\*failed\*\* \(genuine\) \| pass \| not run \|/);
  assert.match(page, /\| rfc959\.feat-syntax \| \*\*failed\*\* \(not yet judged\) \| \*\*failed\*\* \(not yet judged\) \| not run \|/);
  assert.doesNotMatch(page, /\| rfc959\.noop-200 \|/, 'passed wherever it ran');
  assert.match(page, /\| rfc959\.nul \| not run \| not run \| left out \(genuine\) \|/);
  assert.match(page, /Skipped on every peer: rfc959\.mlst\./);
});

test('a suite skipped on every peer gets no empty table', () => {
  const page = renderSuitePage({ suite: 'rfc959', peers: [{ peer: 'one', report: { ...report, cases: report.cases.filter((c) => c.status === 'skipped') }, verdicts: {} }] });
  assert.match(page, /1 cases\. 0 pass on every peer that ran them; 1 are skipped on every peer\./);
  assert.doesNotMatch(page, /\| case \|/);
});
