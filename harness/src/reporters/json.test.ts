import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createJsonReporter } from './json.ts';
import type { JsonReport } from './json.ts';
import { STARTED_AT, TARGET, runEvents } from './reporter-fixtures.ts';

async function writtenReport(): Promise<JsonReport> {
  const dir = await mkdtemp(join(tmpdir(), 'ftp-check-json-'));
  try {
    const file = join(dir, 'deep', 'run.json');
    const reporter = createJsonReporter(file);
    for (const event of runEvents()) await reporter.onEvent(event);
    return JSON.parse(await readFile(file, 'utf8')) as JsonReport;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('JSON reporter', () => {
  it('writes one document with the target, summary and capabilities', async () => {
    const report = await writtenReport();
    assert.equal(report.tool, 'ftp-check');
    assert.equal(report.target, TARGET);
    assert.equal(report.startedAt, new Date(STARTED_AT).toISOString());
    assert.deepEqual(report.capabilities, ['UTF8', 'MLST', 'REST STREAM']);
    assert.deepEqual(report.summary, {
      passed: 2,
      failed: 1,
      skipped: 1,
      expectedFailures: 1,
      warned: 1,
      notChecked: 0,
      durationMs: 1234,
      target: TARGET,
      notices: [],
    });
  });

  it('has every case, in declared order, with the same keys', async () => {
    const report = await writtenReport();
    assert.deepEqual(
      report.cases.map((c) => `${c.suite}/${c.id}:${c.status}`),
      [
        'rfc959/user-pass:passed',
        'rfc959/feat-utf8:warned',
        'rfc959/site-help:skipped',
        'jail/cwd-escape:failed',
        'jail/symlink-escape:expected-failure',
        'jail/pwd-root:passed',
      ],
    );
    const keys = Object.keys(report.cases[0]!).sort();
    for (const c of report.cases) assert.deepEqual(Object.keys(c).sort(), keys);
    for (const key of ['id', 'suite', 'title', 'severity', 'level', 'references', 'status', 'durationMs', 'failure', 'reason', 'transcript']) {
      assert.ok(keys.includes(key), `cases carry ${key}`);
    }
  });

  it('keeps the failure, the reason and the transcript of each case', async () => {
    const report = await writtenReport();
    const failed = report.cases.find((c) => c.id === 'cwd-escape');
    assert.deepEqual(failed?.failure, {
      step: 'step 3: send CWD ../..',
      expected: ['550 reply', '553 reply', '250 reply that stays at /'],
      actual: '250 CWD command successful, then PWD showed "/etc"',
      detail: 'real path /etc reached from home /srv/ftp/alice',
    });
    assert.equal(failed?.severity, 'critical');
    assert.deepEqual(failed?.references, ['RFC 959 §4.1.1', 'lab requirement J-1']);
    assert.equal(failed?.durationMs, 43);
    assert.equal(failed?.transcript.length, 15);
    assert.deepEqual(failed?.transcript[3], { atMs: 9, direction: 'sent', channel: 'control', text: 'PASS ***' });

    const skipped = report.cases.find((c) => c.id === 'site-help');
    assert.equal(skipped?.failure, null);
    assert.equal(skipped?.reason, 'server does not implement SITE');
    assert.deepEqual(skipped?.transcript, []);
    assert.equal(report.cases.find((c) => c.id === 'feat-utf8')?.level, 'should');
  });
});
