/**
 * Secrets never reach the logs (style.md habit 5): not a password typed as the
 * user name (an unknown name is logged only as its length and a keyed tag),
 * and not a password behind PASS or SITE REGISTER/ADDUSER however the line is
 * spaced or cased, at any log level.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer } from './temp-server.ts';
import { ControlClient } from '../test/control-client.ts';

const SECRET = 'Tr0ub4dor-and-3';

/** Every log file of a stopped server, as one text. */
async function allLogs(dataDir: string): Promise<string> {
  const folder = join(dataDir, 'logs');
  const texts = await Promise.all((await readdir(folder)).map((name) => readFile(join(folder, name), 'utf8')));
  return texts.join('\n');
}

/** Runs `lines` on one connection (each answered), stops the server, and returns its logs. */
async function logsAfter(logLevel: 'info' | 'debug', lines: string[]): Promise<string> {
  const server = await startTempServer({ fileLogs: true, settings: { logLevel, registration: true, maxLoginFailures: 100, loginFailDelay: 1 } });
  try {
    const client = await ControlClient.open(server.port);
    for (const line of lines) await client.command(line);
    await client.expect('QUIT', 221);
    await client.waitClosed();
  } finally {
    await server.stop({ keepData: true });
  }
  try {
    return await allLogs(server.dataDir);
  } finally {
    await rm(server.dataDir, { recursive: true, force: true });
  }
}

describe('no password in any log', () => {
  test('info: a password typed as the user name is not logged, the failure is (with the name as length and tag)', async () => {
    const logs = await logsAfter('info', [`USER ${SECRET}`, 'PASS alice-pw']);
    assert.ok(!logs.includes(SECRET), `the password typed as a user name is in the logs:\n${logs.split('\n').filter((line) => line.includes(SECRET)).join('\n')}`);
    const failure = logs.split('\n').find((line) => line.includes('"login failed"'));
    assert.ok(failure, `a failed login is logged:\n${logs}`);
    assert.match(failure, new RegExp(`"length":${SECRET.length}`), failure);
  });

  test('info: a known account name is still logged as itself', async () => {
    const logs = await logsAfter('info', ['USER alice', 'PASS wrong']);
    const failure = logs.split('\n').find((line) => line.includes('"login failed"'));
    assert.match(failure ?? '', /"user":"alice"/, logs);
  });

  const oddLines = [`PASS\t${SECRET}`, `pass  ${SECRET}`, `PaSs ${SECRET}`, `SITE\tREGISTER carol ${SECRET}`, `site register\tcarol\t${SECRET}`, `SITE  REGISTER  carol  ${SECRET}`, `SITE\tADDUSER carol ${SECRET} 100`, ` PASS ${SECRET}`];
  for (const line of oddLines) {
    test(`debug: ${JSON.stringify(line)} is logged with its password masked`, async () => {
      const logs = await logsAfter('debug', ['USER alice', line]);
      assert.ok(!logs.includes(SECRET), `the password is in the logs:\n${logs.split('\n').filter((entry) => entry.includes(SECRET)).join('\n')}`);
      assert.match(logs, /\*\*\*/, 'the command is logged, masked');
    });
  }
});
