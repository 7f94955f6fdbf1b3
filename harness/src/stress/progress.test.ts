import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { attachProgress, BAR_SIZE, eta, FORMAT, progressFields } from './progress.ts';
import type { StressRunner, TickEvent } from './runner.ts';
import { EventEmitter } from 'node:events';

const tick: TickEvent = { elapsedMs: 3000, phase: 'measure', progress: 0.3, iterations: 120, ops: 480, errors: 2, opsLastSecond: 160, inFlight: 4, bytesDown: 2_500_000, bytesUp: 0, p99Ms: 12.345 };

function fakeStream(isTTY: boolean): Writable & { isTTY: boolean; text: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { isTTY: boolean; text: string; columns: number; cursorTo(): boolean; clearLine(): boolean; moveCursor(): boolean };
  stream.isTTY = isTTY;
  stream.text = '';
  stream.columns = 200;
  stream.cursorTo = () => true;
  stream.clearLine = () => true;
  stream.moveCursor = () => true;
  return stream;
}

test('no progress line when the output is not a terminal: nothing at all is written', () => {
  const runner = new EventEmitter() as unknown as StressRunner;
  const stream = fakeStream(false);
  assert.equal(attachProgress(runner, stream), false);
  runner.emit('tick', tick);
  runner.emit('done', {} as never);
  assert.equal(stream.text, '');
  assert.equal(runner.listenerCount('tick'), 0);
});

test('on a terminal, ticks draw the progress line', () => {
  const runner = new EventEmitter() as unknown as StressRunner;
  const stream = fakeStream(true);
  assert.equal(attachProgress(runner, stream), true);
  runner.emit('tick', tick);
  runner.emit('done', {} as never);
  assert.match(stream.text, /ETA 7s \| errors 2 \| 160 ops\/s \| p99 12\.3 ms/);
});

test('the fields shown are plain words', () => {
  assert.deepEqual(progressFields(tick), { timeleft: '7s', phase: 'measure', elapsed: '3s', iterations: '120', rate: '160', p99: '12.3', errors: '2', inflight: '4', down: '2.5 MB', up: '0 B' });
});

test('ETA: time left from the share done; draining at the end; none before any progress', () => {
  assert.equal(eta({ ...tick, elapsedMs: 60_000, progress: 0.25 }), '3m00s');
  assert.equal(eta({ ...tick, progress: 0 }), '-');
  assert.equal(eta({ ...tick, phase: 'drain', progress: 1 }), 'draining');
});

test('at 80 columns, with large figures, the error count and the ETA are still on the line', () => {
  const big: TickEvent = { ...tick, elapsedMs: 3_599_000, progress: 0.001, errors: 1_234_567, opsLastSecond: 123_456, p99Ms: 12_345.6, iterations: 99_999_999 };
  const fields: Record<string, string> = { ...progressFields(big), bar: '#'.repeat(BAR_SIZE), percentage: '100' };
  const line = FORMAT.replace(/\{(\w+)\}/g, (_match, name: string) => fields[name] ?? '');
  const visible = line.slice(0, 80);
  assert.match(visible, /ETA \d+m\d\ds/);
  assert.match(visible, /errors 1234567 \|/);
});
