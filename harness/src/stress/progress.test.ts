import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { attachProgress, progressFields } from './progress.ts';
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
  assert.match(stream.text, /160 ops\/s \| p99 12\.3 ms \| errors 2/);
});

test('the fields shown are plain words', () => {
  assert.deepEqual(progressFields(tick), { phase: 'measure', elapsed: '3s', iterations: '120', rate: '160', p99: '12.3', errors: '2', inflight: '4', down: '2.5 MB', up: '0 B' });
});
