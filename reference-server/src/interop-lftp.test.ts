/**
 * Interop with lftp, a client nobody here wrote: the file-manager scenario in
 * passive and in active mode, anonymous access, a wrong password. The
 * protocol lines lftp sent are checked too, so a mode cannot silently fall back.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireTool } from '../test/require-tool.ts';
import { ALICE, MODES, PUBLIC_FILE, assertRanOk, assertUploaded, exists, run, sha256File, startInteropFixture, type InteropFixture, type Mode } from '../test/interop-scenario.ts';

let fixture: InteropFixture;

before(async () => {
  fixture = await startInteropFixture();
});

after(async () => {
  await fixture.cleanup();
});

/** Runs one lftp script; `login` null means anonymous. Returns the result and lftp's protocol transcript. */
async function lftp(mode: Mode, login: { user: string; password: string } | null, commands: string[]) {
  const transcript = fixture.local.fresh('lftp-debug.log');
  const settings = [
    `set ftp:passive-mode ${mode === 'passive' ? 'on' : 'off'}`,
    'set net:max-retries 1',
    'set net:timeout 10',
    'set net:reconnect-interval-base 1',
    'set ftp:ssl-allow no',
    'set cmd:fail-exit yes',
    'set xfer:clobber on',
    `debug -o ${transcript} 5`,
  ];
  const open = `open ${login ? `-u ${login.user},${login.password} ` : ''}-p ${fixture.server.port} 127.0.0.1`;
  const result = await run('lftp', ['-c', [...settings, open, ...commands].join('; ')], { timeoutMs: 60_000 });
  const sent = (await readFile(transcript, 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line.startsWith('---> '))
    .map((line) => line.slice(5));
  return { ...result, sent };
}

/** lftp really used the mode asked for. */
function assertMode(mode: Mode, sent: string[]): void {
  const passive = sent.some((line) => /^(PASV|EPSV)\b/.test(line));
  const active = sent.some((line) => /^(PORT|EPRT) /.test(line));
  assert.ok(mode === 'passive' ? passive && !active : active && !passive, `${mode} mode, but lftp sent: ${sent.join(' | ')}`);
}

const names = (stdout: string) =>
  stdout
    .split('\n')
    .map((line) => line.trim().replace(/\/$/, ''))
    .filter(Boolean);

describe('lftp', () => {
  for (const mode of MODES) {
    it(`file-manager scenario, ${mode} mode`, async (t: TestContext) => {
      if (!requireTool(t, 'lftp')) return;
      const dir = `lftp-${mode}`;
      const local = fixture.local;

      // list, mkdir, cd, upload
      const upload = await lftp(mode, ALICE, ['ls', `mkdir ${dir}`, `cd ${dir}`, `put ${local.all256} -o all256.bin`, `put ${local.big} -o big.bin`, 'cls -1']);
      assertRanOk(upload, 'lftp upload');
      assertMode(mode, upload.sent);
      assert.match(upload.stdout, /^-rw-r--r-- +1 ftp +ftp +2 .* hello\.txt$/m, 'the root listing');
      assert.deepEqual(names(upload.stdout.slice(upload.stdout.indexOf('hello.txt') + 10)), ['all256.bin', 'big.bin']);
      await assertUploaded(fixture, dir, { all256: 'all256.bin', big: 'big.bin' });

      // download byte-exact, rename, copy by download and upload
      const got256 = local.fresh('all256.bin');
      const gotBig = local.fresh('big.bin');
      const copySource = local.fresh('copy-source.bin');
      const manage = await lftp(mode, ALICE, [
        `cd ${dir}`,
        `get all256.bin -o ${got256}`,
        `get big.bin -o ${gotBig}`,
        'mv all256.bin renamed.bin',
        `get renamed.bin -o ${copySource}`,
        `put ${copySource} -o copy.bin`,
        'cls -1',
      ]);
      assertRanOk(manage, 'lftp download/rename/copy');
      assertMode(mode, manage.sent);
      assert.equal(await sha256File(got256), local.sha.all256);
      assert.equal(await sha256File(gotBig), local.sha.big);
      assert.deepEqual(names(manage.stdout), ['big.bin', 'copy.bin', 'renamed.bin']);
      assert.equal(await sha256File(join(fixture.home, dir, 'copy.bin')), local.sha.all256);
      assert.equal(await exists(join(fixture.home, dir, 'all256.bin')), false, 'renamed away');

      // delete, rmdir
      const clean = await lftp(mode, ALICE, [`cd ${dir}`, 'rm renamed.bin copy.bin big.bin', 'cd ..', `rmdir ${dir}`, 'cls -1']);
      assertRanOk(clean, 'lftp delete/rmdir');
      assert.equal(await exists(join(fixture.home, dir)), false);
      assert.ok(!names(clean.stdout).includes(dir), clean.stdout);
      assert.ok(names(clean.stdout).includes('hello.txt'), clean.stdout);
    });

    it(`anonymous: download works, upload is refused (${mode} mode)`, async (t: TestContext) => {
      if (!requireTool(t, 'lftp')) return;
      const target = fixture.local.fresh('readme.txt');
      const download = await lftp(mode, null, [`get ${PUBLIC_FILE.name} -o ${target}`]);
      assertRanOk(download, 'lftp anonymous get');
      assertMode(mode, download.sent);
      assert.ok(download.sent.includes('USER anonymous'), download.sent.join(' | '));
      assert.deepEqual(await readFile(target), PUBLIC_FILE.content);

      const upload = await lftp(mode, null, [`put ${fixture.local.all256} -o lftp-up-${mode}.bin`]);
      assert.notEqual(upload.code, 0, 'anonymous upload must fail');
      assert.match(upload.stderr, /550/);
      assert.equal(await exists(join(fixture.server.dataDir, 'public', `lftp-up-${mode}.bin`)), false);
    });

    it(`a wrong password is refused (${mode} mode)`, async (t: TestContext) => {
      if (!requireTool(t, 'lftp')) return;
      const result = await lftp(mode, { user: 'alice', password: 'not-the-password' }, ['ls']);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /Login failed|530/);
    });
  }
});
