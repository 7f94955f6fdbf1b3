/**
 * protocol.md "Uploads and resume" (RFC 3659 §5 REST STREAM; lab C: interrupted
 * transfers resume where they stopped): REST before RETR and STOR, APPE, the
 * atomic replace, what an aborted upload keeps, checked over raw sockets and
 * with real clients that resume on their own (lftp get -c / put -c, curl -C -).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { execa } from 'execa';
import { startTempServer, type TempServer } from '../temp-server.ts';
import { RawFtp } from '../../test/raw-ftp-client.ts';
import { requireTool } from '../../test/require-tool.ts';
import { bytesOnDisk, parseQuota, patternBytes, sha256, waitFor } from '../../test/extension-kit.ts';

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : -1;
}

/**
 * Starts `command` (a STOR or APPE), sends `prefix`, waits until `arrived()`
 * says the server has it on disk, then cuts the data connection with a TCP
 * reset (or ABOR on the control connection) and returns the replies that end it.
 */
async function cutUpload(client: RawFtp, command: string, prefix: Buffer, arrived: () => boolean, how: 'reset' | 'abor'): Promise<number[]> {
  const data = (await client.openData()) as Socket;
  await client.expect(command, 150);
  data.write(prefix);
  await waitFor(arrived, 5000, `${prefix.length} bytes of ${command} to reach the disk`);
  if (how === 'reset') {
    data.resetAndDestroy();
    return [(await client.read()).code];
  }
  client.write('ABOR');
  const codes = [(await client.read()).code, (await client.read()).code];
  data.destroy();
  return codes;
}

describe('REST, APPE and what an interrupted upload keeps (raw control connection)', () => {
  let server: TempServer;
  let client: RawFtp;
  let home: string;
  let tmp: string;
  before(async () => {
    server = await startTempServer({ accounts: [{ name: 'alice', password: 'alice-pw', quotaLimit: 50_000_000 }] });
    client = await RawFtp.login(server.port, 'alice', 'alice-pw');
    home = join(server.dataDir, 'storage', 'alice');
    tmp = join(server.dataDir, 'tmp');
  });
  after(async () => {
    await client.quit();
    await server.stop();
  });

  async function assertQuotaMatchesDisk(): Promise<void> {
    assert.equal(parseQuota((await client.send('SITE QUOTA')).text).used, bytesOnDisk(home));
  }

  test('FEAT lists REST STREAM and HASH SHA-256*;SHA-512;SHA-1;MD5 (RFC 3659 §5, draft-bryan-ftpext-hash)', async () => {
    const feat = await client.send('FEAT');
    const features = feat.lines.slice(1, -1).map((line) => line.trim());
    assert.ok(features.includes('REST STREAM'), feat.lines.join('\n'));
    assert.ok(features.includes('HASH SHA-256*;SHA-512;SHA-1;MD5'), feat.lines.join('\n'));
  });

  test('REST n before RETR sends the file from byte n', async () => {
    const body = patternBytes(500_000, 11);
    await client.put('download.bin', body);
    for (const offset of [0, 1, 65_536, 333_333, body.length - 1, body.length]) {
      assert.deepEqual(await client.get('download.bin', { restAt: offset }), body.subarray(offset), `REST ${offset}`);
    }
    const past = await client.download('RETR download.bin', { restAt: body.length + 1 });
    assert.equal(past.preliminary.code, 554, 'REST past the end (RFC 3659 §5.5: 554)');
    // REST holds only for the next transfer: the one after starts at 0 again.
    assert.deepEqual(await client.get('download.bin'), body);
  });

  test('REST n before STOR writes from byte n, keeping bytes 0..n-1', async () => {
    const body = patternBytes(400_000, 12);
    await client.put('upload.bin', body.subarray(0, 150_000));
    await client.put('upload.bin', body.subarray(150_000), 'STOR', { restAt: 150_000 });
    assert.deepEqual(await client.get('upload.bin'), body);
    // A restart inside the file keeps what lies before it.
    const patch = patternBytes(1000, 13);
    await client.put('upload.bin', patch, 'STOR', { restAt: 10_000 });
    const after = await client.get('upload.bin');
    assert.deepEqual(after.subarray(0, 10_000), body.subarray(0, 10_000));
    assert.deepEqual(after.subarray(10_000, 11_000), patch);
    const past = await client.upload('STOR upload.bin', Buffer.from('x'), { restAt: after.length + 1 });
    assert.notEqual(past.final?.code ?? past.preliminary.code, 226, 'REST past the end of the file must not store');
    assert.equal(readFileSync(join(home, 'upload.bin')).length, after.length);
    await assertQuotaMatchesDisk();
  });

  test('APPE adds to the end of a file, and creates a missing one', async () => {
    const first = patternBytes(70_000, 14);
    const second = patternBytes(30_001, 15);
    await client.put('appended.bin', first, 'APPE');
    await client.put('appended.bin', second, 'APPE');
    assert.deepEqual(await client.get('appended.bin'), Buffer.concat([first, second]));
    await assertQuotaMatchesDisk();
  });

  test('an upload of a new file cut by a reset keeps the bytes that arrived; REST+STOR finishes it', async () => {
    const body = patternBytes(600_000, 16);
    const cut = 200_000;
    const codes = await cutUpload(client, 'STOR cut-new.bin', body.subarray(0, cut), () => fileSize(join(home, 'cut-new.bin')) === cut, 'reset');
    assert.equal(codes[0], 426);
    assert.equal((await client.send('SIZE cut-new.bin')).text, String(cut));
    assert.deepEqual(readFileSync(join(home, 'cut-new.bin')), body.subarray(0, cut));
    await assertQuotaMatchesDisk();
    await client.put('cut-new.bin', body.subarray(cut), 'STOR', { restAt: cut });
    assert.equal(sha256(await client.get('cut-new.bin')), sha256(body));
    await assertQuotaMatchesDisk();
  });

  test('an upload of a new file stopped by ABOR keeps the bytes that arrived; APPE finishes it', async () => {
    const body = patternBytes(500_000, 17);
    const cut = 123_456;
    const codes = await cutUpload(client, 'STOR abor-new.bin', body.subarray(0, cut), () => fileSize(join(home, 'abor-new.bin')) === cut, 'abor');
    assert.deepEqual(codes, [426, 226], 'RFC 959 §4.1.3: 426 for the transfer, then 226 for ABOR');
    assert.equal((await client.send('SIZE abor-new.bin')).text, String(cut));
    await assertQuotaMatchesDisk();
    await client.put('abor-new.bin', body.subarray(cut), 'APPE');
    assert.equal(sha256(await client.get('abor-new.bin')), sha256(body));
  });

  test('an interrupted overwrite leaves the old content whole, by reset and by ABOR', async () => {
    const old = patternBytes(300_000, 18);
    await client.put('precious.bin', old);
    for (const how of ['reset', 'abor'] as const) {
      const codes = await cutUpload(client, 'STOR precious.bin', patternBytes(150_000, 19), () => bytesOnDisk(tmp) >= 150_000, how);
      assert.equal(codes[0], 426, how);
      assert.deepEqual(readFileSync(join(home, 'precious.bin')), old, `after ${how} the old content is intact`);
      assert.deepEqual(await client.get('precious.bin'), old);
      await waitFor(() => bytesOnDisk(tmp) === 0, 2000, 'the partial upload to be removed from the server temp folder');
      await assertQuotaMatchesDisk();
    }
  });

  test('a completed STOR over a file is atomic: a reader looping RETR only ever sees one whole content', async () => {
    const contents = [patternBytes(256 * 1024, 20), patternBytes(256 * 1024 + 7, 21)];
    const digests = contents.map(sha256);
    await client.put('flip.bin', contents[0] as Buffer);
    const reader = await RawFtp.login(server.port, 'alice', 'alice-pw');
    let writing = true;
    let reads = 0;
    const seen = new Set<string>();
    const readLoop = (async () => {
      while (writing) {
        const body = await reader.get('flip.bin');
        const digest = sha256(body);
        assert.ok(digests.includes(digest), `read ${reads + 1} saw a mix of ${body.length} bytes`);
        seen.add(digest);
        reads++;
      }
    })();
    // Once the writer has its 226, every other session already sees the new file.
    const checker = await RawFtp.login(server.port, 'alice', 'alice-pw');
    for (let i = 1; i <= 40; i++) {
      const next = contents[i % 2] as Buffer;
      await client.put('flip.bin', next);
      assert.equal((await checker.send('SIZE flip.bin')).text, String(next.length), `after the 226 of overwrite ${i}`);
    }
    writing = false;
    await readLoop;
    await Promise.all([reader.quit(), checker.quit()]);
    assert.ok(reads >= 5, `the reader overlapped the writer (${reads} reads)`);
    assert.equal(seen.size, 2, 'the reader saw both contents while they were replaced');
  });
});

describe('resume with real clients (lftp get -c / put -c, curl -C -)', () => {
  let server: TempServer;
  let home: string;
  let local: string;
  const body = patternBytes(1_500_000, 30);
  before(async () => {
    server = await startTempServer({ accounts: [{ name: 'alice', password: 'alice-pw' }] });
    home = join(server.dataDir, 'storage', 'alice');
    mkdirSync(home, { recursive: true });
    local = await mkdtemp(join(tmpdir(), 'ftp-ref-resume-'));
  });
  after(async () => {
    await server.stop();
    await rm(local, { recursive: true, force: true });
  });

  function lftpScript(commands: string, rate = 0): string[] {
    const settings = [
      'set cmd:fail-exit yes',
      'set ftp:ssl-allow no',
      'set net:max-retries 1',
      'set net:timeout 10',
      `set net:limit-rate ${rate}`,
      `open -u alice,alice-pw -p ${server.port} 127.0.0.1`,
    ];
    return ['--norc', '-d', '-c', [...settings, commands].join('; ')];
  }

  /** Runs lftp slowly and kills it (SIGKILL, by its own PID) once `progress()` passes `atLeast` bytes. */
  async function killLftpMidway(commands: string, progress: () => number, atLeast: number): Promise<number> {
    const subprocess = execa('lftp', lftpScript(commands, 250_000), { reject: false, timeout: 30_000, cwd: local });
    await waitFor(() => progress() >= atLeast, 15_000, `lftp to move ${atLeast} bytes`);
    subprocess.kill('SIGKILL');
    await subprocess;
    return progress();
  }

  test('lftp get -c finishes a download cut mid-way (REST before RETR)', async (t) => {
    if (!requireTool(t, 'lftp')) return;
    writeFileSync(join(home, 'movie.bin'), body);
    const target = join(local, 'movie.bin');
    const cutAt = await killLftpMidway(`get movie.bin -o ${target}`, () => Math.max(0, fileSize(target)), 300_000);
    assert.ok(cutAt > 0 && cutAt < body.length, `the first download was cut (${cutAt} of ${body.length} bytes)`);
    const resumed = await execa('lftp', lftpScript(`get -c movie.bin -o ${target}`), { timeout: 30_000, cwd: local });
    assert.match(resumed.stderr, new RegExp(`---> REST ${cutAt}\\b`), 'lftp restarts where the cut download stopped');
    assert.match(resumed.stderr, /---> RETR movie\.bin/);
    assert.equal(sha256(readFileSync(target)), sha256(body));
  });

  test('lftp put -c finishes an upload cut mid-way (SIZE, then REST+STOR)', async (t) => {
    if (!requireTool(t, 'lftp')) return;
    const source = join(local, 'upload-source.bin');
    writeFileSync(source, body);
    const remote = join(home, 'uploaded.bin');
    const cutAt = await killLftpMidway(`put ${source} -o uploaded.bin`, () => Math.max(0, fileSize(remote)), 300_000);
    // The server keeps what arrived of the new file; wait until it has settled.
    const kept = await waitFor(async () => {
      const before = fileSize(remote);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return fileSize(remote) === before && before;
    }, 5000, 'the cut upload to settle');
    assert.ok(kept >= cutAt && kept < body.length, `the first upload was cut (${kept} of ${body.length} bytes on the server)`);
    assert.deepEqual(readFileSync(remote), body.subarray(0, kept), 'what the server kept is an exact prefix');
    const resumed = await execa('lftp', lftpScript(`put -c ${source} -o uploaded.bin`), { timeout: 30_000, cwd: local });
    assert.match(resumed.stderr, new RegExp(`---> REST ${kept}\\b`));
    assert.match(resumed.stderr, /---> STOR uploaded\.bin/);
    assert.equal(sha256(readFileSync(remote)), sha256(body));
  });

  test('curl -C - -T resumes an upload cut mid-way (SIZE, then APPE)', async (t) => {
    if (!requireTool(t, 'curl')) return;
    const source = join(local, 'curl-source.bin');
    writeFileSync(source, body);
    const raw = await RawFtp.login(server.port, 'alice', 'alice-pw');
    const remote = join(home, 'curl-resumed.bin');
    await cutUpload(raw, 'STOR curl-resumed.bin', body.subarray(0, 700_000), () => fileSize(remote) === 700_000, 'reset');
    await raw.quit();
    const result = await execa('curl', ['-sS', '-v', '--max-time', '30', '-C', '-', '-T', source, `ftp://alice:alice-pw@127.0.0.1:${server.port}/curl-resumed.bin`], { timeout: 40_000 });
    assert.match(result.stderr, /> SIZE curl-resumed\.bin/);
    assert.match(result.stderr, /> APPE curl-resumed\.bin/);
    assert.equal(sha256(readFileSync(remote)), sha256(body));
  });
});
