import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaseResult, RunEvent } from '../engine/results.ts';
import { summarize } from '../engine/results.ts';
import { createConsoleReporter } from './console.ts';
import type { ConsoleReporterOptions } from './console.ts';
import { TARGET, cases, results, runEvents } from './reporter-fixtures.ts';

async function runConsole(options: Partial<Omit<ConsoleReporterOptions, 'write'>> = {}, events: RunEvent[] = runEvents()) {
  const chunks: string[] = [];
  const reporter = createConsoleReporter({ write: (text) => chunks.push(text), verbose: false, color: false, ...options });
  const writesAfterEvent: number[] = [];
  for (const event of events) {
    await reporter.onEvent(event);
    writesAfterEvent.push(chunks.length);
  }
  return { text: chunks.join(''), chunks, writesAfterEvent };
}

/** The block of one suite: from its heading to the next blank line. */
function suiteBlock(text: string, suite: string): string {
  const start = text.indexOf(`\n${suite}\n`);
  assert.ok(start >= 0, `no heading for suite ${suite} in:\n${text}`);
  const end = text.indexOf('\n\n', start + 1);
  return text.slice(start + 1, end < 0 ? undefined : end);
}

describe('console reporter: grouping of out-of-order case ends', () => {
  it('prints a suite only once all its declared cases have ended', async () => {
    const events = runEvents();
    const { chunks, writesAfterEvent } = await runConsole({}, events);
    const caseEnds = events.map((event, index) => ({ event, index })).filter(({ event }) => event.type === 'case-end');
    // Event order: pwd-root, feat-utf8, cwd-escape, user-pass end: nothing but the run header yet.
    for (const { index } of caseEnds.slice(0, 4)) assert.equal(writesAfterEvent[index], 1);
    // symlink-escape closes the jail suite, site-help then closes rfc959.
    assert.equal(writesAfterEvent[caseEnds[4]!.index], 2);
    assert.match(chunks[1]!, /^\njail\n/);
    assert.equal(writesAfterEvent[caseEnds[5]!.index], 3);
    assert.match(chunks[2]!, /^\nrfc959\n/);
    assert.ok(!chunks[1]!.includes('rfc959'), 'the jail block holds only jail cases');
  });

  it('lists the cases of a suite in declared order, one line each', async () => {
    const { text } = await runConsole();
    const jail = suiteBlock(text, 'jail').split('\n');
    const caseLines = jail.filter((line) => /^ {2}(PASS|FAIL|SKIP|XFAIL|WARN) /.test(line));
    assert.deepEqual(caseLines, [
      '  FAIL  cwd-escape  CWD ../.. cannot leave the jail (43 ms) [critical]',
      '  XFAIL symlink-escape  a symlink cannot point out of the jail (20 ms) (expected failure: known bug #12: symlinks are followed)',
      '  PASS  pwd-root  PWD at login shows / (5 ms)',
    ]);
    const rfc959 = suiteBlock(text, 'rfc959').split('\n');
    assert.deepEqual(
      rfc959.filter((line) => /^ {2}(PASS|FAIL|SKIP|XFAIL|WARN) /.test(line)),
      [
        '  PASS  user-pass  USER then PASS logs in (12 ms)',
        '  WARN  feat-utf8  FEAT lists UTF8 (8 ms) (SHOULD-level deviation, not counted)',
        '  SKIP  site-help  SITE HELP lists commands (skipped: server does not implement SITE)',
      ],
    );
  });

  it('prints at run-end a suite whose cases never all ended, and names the missing case', async () => {
    const events = runEvents().filter((event) => !(event.type === 'case-end' && event.result === results.siteHelp));
    const end = events.at(-1);
    assert.ok(end?.type === 'run-end');
    const partial = end.results.filter((result) => result !== results.siteHelp);
    events[events.length - 1] = { type: 'run-end', summary: summarize(partial, TARGET, 50), results: partial };
    const { text, chunks } = await runConsole({}, events);
    assert.match(chunks[2]!, /^\nrfc959\n/);
    assert.ok(!suiteBlock(text, 'rfc959').includes('site-help'));
    assert.match(text, /^1 case reported no result: rfc959\/site-help$/m);
    assert.equal(text.trimEnd().split('\n').at(-1), '2 passed, 1 failed, 0 skipped');
  });
});

describe('console reporter: WARNING block', () => {
  it('gives severity, warning, step, expected alternatives, actual, references and the transcript tail', async () => {
    const { text } = await runConsole();
    const jail = suiteBlock(text, 'jail');
    const start = jail.indexOf('      WARNING');
    const block = jail.slice(start, jail.indexOf('  XFAIL')).trimEnd().split('\n');
    assert.deepEqual(block.slice(0, 9), [
      '      WARNING [critical, MUST-level]: A logged-in user can leave their home folder with CWD ../.. and read the whole disk.',
      '            step: step 3: send CWD ../..',
      '        expected: 550 reply',
      '              or: 553 reply',
      '              or: 250 reply that stays at /',
      '          actual: 250 CWD command successful, then PWD showed "/etc"',
      '          detail: real path /etc reached from home /srv/ftp/alice',
      '          breaks: RFC 959 §4.1.1; lab requirement J-1',
      '        transcript (last 12 of 15 lines):',
    ]);
    const transcript = block.slice(9);
    assert.equal(transcript.length, 12);
    assert.equal(transcript[0], '          +9ms control > PASS ***');
    assert.equal(transcript.at(-1), '          +42ms control # left the jail');
    // The first three lines fall outside the tail.
    assert.ok(!text.includes('220 jail-test ready'));
    assert.ok(!text.includes('331 Password required for alice'));
  });

  it('marks a warned SHOULD case as not counted, with its own block', async () => {
    const { text } = await runConsole();
    assert.match(
      text,
      /^ {6}WARNING \[minor, SHOULD-level\] \(not counted; a failure with --strict\): The server does not announce UTF8 in FEAT/m,
    );
    assert.match(text, /^ {8}expected: a 211 reply listing UTF8$/m);
    assert.match(text, /^ {10}actual: 211 reply without UTF8$/m);
  });

  it('prints no WARNING block for passes, skips and expected failures, nor their transcripts', async () => {
    const { text } = await runConsole();
    assert.equal(text.match(/WARNING/g)?.length, 2);
    assert.ok(!text.includes('USER bob'), 'a pass shows no transcript unless verbose');
    assert.ok(!text.includes('RETR link'));
  });

  it('honours transcriptTail', async () => {
    const { text } = await runConsole({ transcriptTail: 3 });
    assert.match(
      text,
      /transcript \(last 3 of 15 lines\):\n {10}\+36ms control > PWD\n {10}\+39ms control < 257 "\/etc" is the current directory\n {10}\+42ms control # left the jail\n {2}XFAIL/,
    );
  });

  it('tells a harness error apart from a fault of the target', async () => {
    const broken: CaseResult = { ...results.pwdRoot, status: 'failed', harnessError: 'TypeError: step 2 threw' };
    const events: RunEvent[] = [
      { type: 'run-start', target: TARGET, cases: [cases.pwdRoot], capabilities: [], startedAt: 0 },
      { type: 'case-end', result: broken },
      { type: 'run-end', summary: summarize([broken], TARGET, 5), results: [broken] },
    ];
    const { text } = await runConsole({}, events);
    assert.match(text, /harness error: TypeError: step 2 threw \(a bug in ftp-check, not a fault of the target\)/);
    assert.match(text, /^1 harness error \(a bug in ftp-check, not a fault of the target\)$/m);
  });
});

describe('console reporter: verbose', () => {
  it('prints the whole transcript of every case, passes included', async () => {
    const { text } = await runConsole({ verbose: true });
    assert.match(text, /PASS {2}user-pass .*\n {8}transcript \(5 lines\):\n {10}\+0ms control < 220 ready\n/);
    assert.match(text, /transcript \(15 lines\):\n {10}\+0ms control < 220 jail-test ready\n/);
    assert.match(text, /XFAIL symlink-escape .*\n {8}transcript \(2 lines\):\n {10}\+0ms control > RETR link\n/);
    // A skip with no transcript prints none.
    assert.match(text, /SKIP {2}site-help .*\n\nSummary/);
  });
});

describe('console reporter: summary', () => {
  it('ends with counts per suite, the notes, and the exact summary line last', async () => {
    const { text } = await runConsole();
    assert.ok(text.endsWith('\n'));
    const summary = text.slice(text.indexOf('\nSummary\n') + 1).trimEnd().split('\n');
    assert.deepEqual(summary, [
      'Summary',
      '  rfc959  1 passed, 0 failed, 1 skipped, 1 warned',
      '  jail    1 passed, 1 failed, 0 skipped, 1 expected failure',
      '1 SHOULD-level deviation, counted as a failure with --strict',
      '1 expected failure (listed in --expect-fail)',
      'finished in 1.23 s',
      '2 passed, 1 failed, 1 skipped',
    ]);
  });

  it('opens with the target and the size of the run', async () => {
    const { chunks } = await runConsole();
    assert.equal(chunks[0], `ftp-check: 6 cases in 2 suites against ${TARGET}\nserver capabilities: UTF8 MLST REST STREAM\n`);
  });
});

describe('console reporter: color', () => {
  it('writes no escape codes without color', async () => {
    const { text } = await runConsole({ color: false });
    assert.ok(!text.includes('\x1b'), 'plain output has no ANSI codes');
  });

  it('colors marks and warnings, but leaves the summary line plain for CI', async () => {
    const { text } = await runConsole({ color: true });
    assert.ok(text.includes('\x1b[32m✔\x1b[0m user-pass'), 'green check for a pass');
    assert.ok(text.includes('\x1b[31m✘\x1b[0m cwd-escape'), 'red cross for a failure');
    assert.ok(text.includes('\x1b[33m!\x1b[0m feat-utf8'), 'yellow mark for a warned case');
    assert.ok(text.includes('\x1b[1mWARNING\x1b[0m'));
    assert.equal(text.trimEnd().split('\n').at(-1), '2 passed, 1 failed, 1 skipped');
  });
});
