/**
 * get -c and put -c after a server cut the data connection at a byte count:
 * the resumed file ends byte-exact, and the resume used the commands FEAT
 * offers (REST+RETR; REST+STOR with REST STREAM, else APPE).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';
import { startFakeServer } from './testing/fake-ftp-server.ts';
import { runShell } from './testing/run-shell.ts';

const CUT = 300_000;

test('get cut at 300000 bytes keeps them; get -c resumes with REST 300000 and the file ends byte-exact', async (t) => {
  const dir = await temporaryFolder(t, 'shell-resume-get-');
  const original = randomBytes(1024 * 1024);
  const server = await startFakeServer({ files: { 'f.bin': original }, cutRetrAfter: CUT });
  t.after(() => server.stop());
  const local = join(dir, 'f.bin');
  const result = await runShell({ target: `${server.host}:${server.port}`, user: 'u:p' }, [`get f.bin ${local}`, `get -c f.bin ${local}`]);
  assert.match(result.output, new RegExp(`get f\\.bin: reply 426 .*; ${CUT} bytes kept in \\S+, get -c resumes`), result.output);
  assert.ok(server.received.includes(`REST ${CUT}`), `REST ${CUT} sent: ${server.received.join(', ')}`);
  assert.match(result.output, /get f\.bin \(from byte 300000\): 748576 bytes in .*; size ok/);
  assert.ok((await readFile(local)).equals(original), 'the resumed download is byte-exact');
  assert.deepEqual(result.warnings, []);
  assert.equal(result.code, 1, 'the first, cut get failed');
});

for (const features of [['SIZE'], ['SIZE', 'REST STREAM']]) {
  const how = features.includes('REST STREAM') ? 'REST+STOR (REST STREAM in FEAT)' : 'APPE (no REST STREAM)';
  test(`put cut at 300000 bytes; put -c resumes with SIZE then ${how}; the server's copy is byte-exact, checked by read-back`, async (t) => {
    const dir = await temporaryFolder(t, 'shell-resume-put-');
    const original = randomBytes(1024 * 1024);
    const local = join(dir, 'up.bin');
    await writeFile(local, original);
    const server = await startFakeServer({ features, cutStorAfter: CUT });
    t.after(() => server.stop());
    const result = await runShell({ target: `${server.host}:${server.port}`, user: 'u:p' }, [`put ${local} up.bin`, `put -c ${local} up.bin`]);
    assert.match(result.output, /put \S+: .*put -c resumes/, result.output);
    const resumed = server.received.slice(server.received.lastIndexOf('SIZE up.bin'));
    if (features.includes('REST STREAM')) assert.deepEqual(resumed.slice(1, 4).filter((line) => !/^PASV/.test(line)), [`REST ${CUT}`, 'STOR up.bin'], resumed.join(', '));
    else assert.ok(resumed.includes('APPE up.bin') && !resumed.some((line) => line.startsWith('REST')), resumed.join(', '));
    assert.match(result.output, /put \S+ \((?:APPE|REST) from byte 300000\): 748576 bytes in .*; read back 1048576 bytes ok/);
    assert.ok(server.files.get('up.bin')?.equals(original), "the server's copy is byte-exact");
    assert.deepEqual(result.warnings, []);
  });
}
