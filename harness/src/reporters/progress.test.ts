import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressReporter, renderProgressLine } from './progress.ts';
import { createQuietReporter } from './quiet.ts';
import { runEvents } from './reporter-fixtures.ts';

test('the progress line shows done/total, failures, elapsed and the longest-running case', () => {
  const running = new Map([['jail.idle-timeout', 1_000], ['rfc959.noop', 9_000]]);
  const line = renderProgressLine({ total: 87, done: 12, failed: 1, running, startedAt: 0 }, 14_500);
  assert.equal(line, '[12/87] · 1 failed · 14s · running jail.idle-timeout 13s (+1)');
});

test('on a narrow terminal the line is cut at the end, the counts kept', () => {
  const running = new Map([['concurrency.a-very-long-case-identifier-that-goes-on-and-on', 0]]);
  const line = renderProgressLine({ total: 87, done: 12, failed: 3, running, startedAt: 0 }, 2_000, 40);
  assert.ok(line.length <= 39, line);
  assert.match(line, /^\[12\/87\] · 3 failed · 2s · running conc/);
  assert.ok(line.endsWith('…'));
});

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, columns: 80, written, write: (text: string) => (written.push(text), true) };
}

test('not a terminal: no progress reporter, nothing drawn', () => {
  assert.equal(createProgressReporter(fakeStream(false)), null);
});

test('on a terminal: drawn on every event, lifted off around other output, gone at the end', async () => {
  const stream = fakeStream(true);
  const progress = createProgressReporter(stream, { redrawMs: 60_000 });
  assert.ok(progress);
  const other: string[] = [];
  const write = progress.around((text) => other.push(`${stream.written.length}:${text}`));
  const events = runEvents();
  for (const event of events) {
    await progress.onEvent(event);
    if (event.type === 'case-end') write('suite block');
  }
  const caseEnds = events.filter((e) => e.type === 'case-end').length;
  const failures = events.filter((e) => e.type === 'case-end' && e.result.status === 'failed').length;
  const lines = stream.written.filter((text) => text.startsWith('\r\x1b[K['));
  assert.match(lines[lines.length - 1] ?? '', new RegExp(`^\\r\\x1b\\[K\\[${caseEnds}/${caseEnds}\\] · ${failures} failed`));
  assert.equal(other.length, caseEnds);
  // Before each block of other output the line was cleared (a bare clear was the last write).
  for (const entry of other) assert.equal(stream.written[Number(entry.split(':')[0]) - 1], '\r\x1b[K');
  assert.equal(stream.written[stream.written.length - 1], '\r\x1b[K', 'the run ends with the line cleared');
});

test('--quiet prints only failed and warned cases, then the summary', async () => {
  const out: string[] = [];
  const quiet = createQuietReporter({ write: (text) => out.push(text), verbose: false, color: false });
  for (const event of runEvents()) await quiet.onEvent(event);
  const text = out.join('');
  assert.match(text, /FAIL {2}cwd-escape/);
  assert.match(text, /WARN {2}feat-utf8/);
  assert.doesNotMatch(text, /^ {2}PASS /m);
  assert.doesNotMatch(text, /^ {2}(SKIP|XFAIL) /m);
  assert.match(text, /\d+ passed, \d+ failed, \d+ skipped\n$/);
});
