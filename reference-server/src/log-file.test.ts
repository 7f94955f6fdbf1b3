/**
 * LogFile on a device that is always full (/dev/full: every write fails with
 * ENOSPC): lines are dropped, never retried, the failure is reported once,
 * and flush and close still return. On a real file every line lands in order.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LogFile } from './log-file.ts';

const folder = mkdtempSync(join(tmpdir(), 'ftp-ref-logfile-'));
after(() => rmSync(folder, { recursive: true, force: true }));

describe('LogFile', () => {
  test('every line lands, in order, through pino', async () => {
    const file = new LogFile(join(folder, 'ordered.log'));
    const logger = pino({ base: null }, file);
    for (let i = 0; i < 2000; i++) logger.info({ i }, 'line');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    await file.close();
    const numbers = readFileSync(join(folder, 'ordered.log'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { i: number }).i);
    assert.deepEqual(numbers, Array.from({ length: 2000 }, (_, i) => i));
  });

  test('on a full device: lines are dropped, the failure is said once, flush and close return', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
    const reports: string[] = [];
    const file = new LogFile('/dev/full', (message) => reports.push(message));
    const logger = pino({ base: null }, file);
    for (let i = 0; i < 500; i++) {
      logger.info({ i }, 'line');
      if (i % 50 === 0) await new Promise<void>((resolve) => logger.flush(() => resolve()));
    }
    await file.close();
    assert.equal(reports.length, 1, reports.join('\n'));
    assert.match(reports[0] as string, /cannot write \/dev\/full \(ENOSPC/);
  });

  test('a folder that is gone: the same, once', async () => {
    const reports: string[] = [];
    const file = new LogFile(join(folder, 'no-such-folder', 'x.log'), (message) => reports.push(message));
    for (let i = 0; i < 100; i++) file.write(`${i}\n`);
    await file.close();
    assert.equal(reports.length, 1, reports.join('\n'));
  });
});
