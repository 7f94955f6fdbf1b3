import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'junit2json';
import type { TestCase, TestSuite, TestSuites } from 'junit2json';
import type { CaseResult } from '../engine/results.ts';
import { summarize } from '../engine/results.ts';
import { createJUnitReporter, renderJUnit } from './junit.ts';
import { TARGET, results, runEvents } from './reporter-fixtures.ts';

async function parseSuites(xml: string): Promise<TestSuites> {
  const parsed = await parse(xml);
  assert.ok(parsed && 'testsuite' in parsed, 'the root is <testsuites>');
  return parsed as TestSuites;
}

function testCase(suite: TestSuite | undefined, name: string): TestCase {
  const found = suite?.testcase?.find((candidate) => candidate.name === name);
  assert.ok(found, `no testcase ${name}`);
  return found;
}

describe('JUnit reporter, read back by junit2json', () => {
  let dir: string;
  let report: TestSuites;
  let xml: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftp-check-junit-'));
    // A folder that does not exist yet: the reporter creates it.
    const file = join(dir, 'nested', 'reports', 'junit.xml');
    const reporter = createJUnitReporter(file);
    for (const event of runEvents()) await reporter.onEvent(event);
    xml = await readFile(file, 'utf8');
    report = await parseSuites(xml);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has one testsuite per suite, in declared order, with the right counts', () => {
    assert.equal(report.tests, 6);
    assert.equal(report.failures, 1);
    assert.equal(report.errors, 0);
    assert.deepEqual(
      report.testsuite?.map((suite) => [suite.name, suite.tests, suite.failures, suite.skipped]),
      [
        ['rfc959', 3, 0, 1],
        ['jail', 3, 1, 1],
      ],
    );
    const jail = report.testsuite?.[1];
    assert.deepEqual(jail?.testcase?.map((c) => c.name), ['cwd-escape', 'symlink-escape', 'pwd-root']);
    assert.ok(jail?.testcase?.every((c) => c.classname === 'jail'));
    assert.deepEqual(jail?.properties, [
      { name: 'target', value: TARGET },
      { name: 'capabilities', value: 'UTF8 MLST REST STREAM' },
    ]);
  });

  it('reports a failure with the warning, expected vs actual, severity as type, and the transcript', () => {
    const failed = testCase(report.testsuite?.[1], 'cwd-escape');
    assert.equal(failed.time, 0.043);
    assert.equal(failed.failure?.length, 1);
    const failure = failed.failure?.[0];
    assert.equal(failure?.type, 'critical');
    assert.equal(
      failure?.message,
      'A logged-in user can leave their home folder with CWD ../.. and read the whole disk. ' +
        'Expected 550 reply or 553 reply or 250 reply that stays at /; got 250 CWD command successful, then PWD showed "/etc".',
    );
    assert.match(failure?.inner ?? '', /step: step 3: send CWD \.\.\/\.\./);
    assert.match(failure?.inner ?? '', /breaks: RFC 959 §4\.1\.1; lab requirement J-1/);
    const out = failed['system-out']?.[0] ?? '';
    assert.match(out, /^transcript \(15 lines\):\n\+0ms control < 220 jail-test ready\n/);
    assert.match(out, /\+9ms control > PASS \*\*\*\n/);
    assert.equal(failed.skipped, undefined);
  });

  it('reports skips, and expected failures as skips with their reason', () => {
    const skipped = testCase(report.testsuite?.[0], 'site-help');
    assert.deepEqual(skipped.skipped, [{ message: 'server does not implement SITE' }]);
    assert.equal(skipped.failure, undefined);
    const expected = testCase(report.testsuite?.[1], 'symlink-escape');
    assert.deepEqual(expected.skipped, [{ message: 'expected failure: known bug #12: symlinks are followed' }]);
    assert.equal(expected.failure, undefined);
    assert.match(expected['system-out']?.[0] ?? '', /Expected 550 reply; got 150 Opening data connection\./);
  });

  it('passes a warned case, with a note in system-out', () => {
    const warned = testCase(report.testsuite?.[0], 'feat-utf8');
    assert.equal(warned.failure, undefined);
    assert.equal(warned.skipped, undefined);
    assert.match(warned['system-out']?.[0] ?? '', /^SHOULD-level deviation \(not counted; a failure with --strict\): The server does not announce UTF8/);
    const passed = testCase(report.testsuite?.[0], 'user-pass');
    assert.equal(passed.failure, undefined);
    assert.equal(passed.time, 0.012);
  });

  it('keeps the masked password masked', () => {
    assert.ok(xml.includes('PASS ***'));
  });

  it('reports a harness error as <error>, not as a fault of the target', async () => {
    const broken: CaseResult = { ...results.pwdRoot, status: 'failed', harnessError: 'TypeError: step 2 threw' };
    const parsed = await parseSuites(renderJUnit(summarize([broken], TARGET, 5), [broken]));
    const only = testCase(parsed.testsuite?.[0], 'pwd-root');
    assert.equal(only.failure, undefined);
    assert.equal(only.error?.[0]?.type, 'harness-error');
    assert.match(only.error?.[0]?.message ?? '', /Harness error: TypeError: step 2 threw/);
    assert.equal(parsed.errors, 1);
  });
});
