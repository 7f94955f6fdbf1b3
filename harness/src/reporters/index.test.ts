import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Reporter, RunEvent } from '../engine/results.ts';
import { ReporterError, createReporters, emit } from './index.ts';
import { runEvents } from './reporter-fixtures.ts';

describe('createReporters and emit', () => {
  it('builds the asked-for reporters and feeds them the whole run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftp-check-reporters-'));
    try {
      const chunks: string[] = [];
      const reporters = createReporters({
        console: { write: (text) => chunks.push(text), verbose: false, color: false },
        junit: join(dir, 'junit.xml'),
        tap: join(dir, 'run.tap'),
        json: join(dir, 'run.json'),
      });
      assert.equal(reporters.length, 4);
      for (const event of runEvents()) await emit(reporters, event);
      assert.equal(chunks.join('').trimEnd().split('\n').at(-1), '2 passed, 1 failed, 1 skipped');
      assert.match(await readFile(join(dir, 'junit.xml'), 'utf8'), /<testsuites [^>]*tests="6"/);
      assert.match(await readFile(join(dir, 'run.tap'), 'utf8'), /^TAP version 14\n1\.\.6\n/);
      assert.equal((JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as { cases: unknown[] }).cases.length, 6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates only what was asked for', () => {
    assert.deepEqual(createReporters({}), []);
    assert.equal(createReporters({ json: 'x.json' }).length, 1);
  });

  it('writes no file before run-end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftp-check-reporters-'));
    try {
      const reporters = createReporters({ junit: join(dir, 'junit.xml'), json: join(dir, 'run.json') });
      for (const event of runEvents().slice(0, -1)) await emit(reporters, event);
      await assert.rejects(access(join(dir, 'junit.xml')));
      await assert.rejects(access(join(dir, 'run.json')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('still feeds every reporter when one fails, then reports the failure', async () => {
    const seen: string[] = [];
    const failing: Reporter = {
      onEvent: async () => {
        throw new Error('disk full');
      },
    };
    const recording: Reporter = { onEvent: (event: RunEvent) => void seen.push(event.type) };
    const event = runEvents().at(-1)!;
    await assert.rejects(emit([failing, recording], event), (error: unknown) => {
      assert.ok(error instanceof ReporterError);
      assert.equal(error.message, '1 reporter failed on run-end');
      assert.equal((error.errors[0] as Error).message, 'disk full');
      return true;
    });
    assert.deepEqual(seen, ['run-end']);
  });
});
