/**
 * Interop with curl, a client nobody here wrote: the file-manager scenario in
 * passive (`--ftp-pasv`) and active (`-P 127.0.0.1`) mode, anonymous access,
 * a wrong password. curl's -v output shows which data commands it used.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireTool } from '../test/require-tool.ts';
import { ALICE, HELLO, MODES, PUBLIC_FILE, assertRanOk, assertUploaded, exists, run, sha256File, startInteropFixture, type InteropFixture, type Mode } from '../test/interop-scenario.ts';

const CURL = '/usr/bin/curl';
let fixture: InteropFixture;

before(async () => {
  fixture = await startInteropFixture();
});

after(async () => {
  await fixture.cleanup();
});

function url(path: string, login: { user: string; password: string } | null = ALICE): string {
  const auth = login ? `${login.user}:${login.password}@` : '';
  return `ftp://${auth}127.0.0.1:${fixture.server.port}/${path}`;
}

/** One curl run in `mode`; `sent` is what curl said on the control connection. */
async function curl(mode: Mode, args: string[]) {
  const modeArgs = mode === 'passive' ? ['--ftp-pasv'] : ['-P', '127.0.0.1'];
  const result = await run(CURL, ['-sS', '-v', '--connect-timeout', '5', '--max-time', '30', ...modeArgs, ...args], { timeoutMs: 40_000 });
  const sent = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('> '))
    .map((line) => line.slice(2).trim());
  return { ...result, sent };
}

/** curl really used the mode asked for when it moved data. */
function assertMode(mode: Mode, sent: string[]): void {
  const passive = sent.some((line) => /^(PASV|EPSV)\b/.test(line));
  const active = sent.some((line) => /^(PORT|EPRT) /.test(line));
  assert.ok(mode === 'passive' ? passive && !active : active && !passive, `${mode} mode, but curl sent: ${sent.join(' | ')}`);
}

const listedNames = (listing: string) =>
  listing
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => line.split(/ +/).slice(8).join(' '));

describe('curl', () => {
  for (const mode of MODES) {
    it(`file-manager scenario, ${mode} mode`, async (t: TestContext) => {
      if (!requireTool(t, CURL)) return;
      const dir = `curl-${mode}`;
      const local = fixture.local;

      // list
      const root = await curl(mode, [url('')]);
      assertRanOk(root, 'curl list');
      assertMode(mode, root.sent);
      assert.ok(listedNames(root.stdout).includes(HELLO.name), root.stdout);

      // mkdir (-Q), then cd + upload, with a subfolder made by --ftp-create-dirs
      const mkdir = await curl(mode, ['-Q', `MKD ${dir}`, url('')]);
      assertRanOk(mkdir, 'curl MKD');
      const up256 = await curl(mode, ['--ftp-create-dirs', '-T', local.all256, url(`${dir}/sub/all256.bin`)]);
      assertRanOk(up256, 'curl upload 256');
      assertMode(mode, up256.sent);
      assert.ok(up256.sent.includes('CWD sub') && up256.sent.includes('MKD sub'), up256.sent.join(' | '));
      const upBig = await curl(mode, ['-T', local.big, url(`${dir}/sub/big.bin`)]);
      assertRanOk(upBig, 'curl upload big');
      await assertUploaded(fixture, join(dir, 'sub'), { all256: 'all256.bin', big: 'big.bin' });

      // download byte-exact
      const got256 = local.fresh('all256.bin');
      const gotBig = local.fresh('big.bin');
      assertRanOk(await curl(mode, ['-o', got256, url(`${dir}/sub/all256.bin`)]), 'curl download 256');
      assertRanOk(await curl(mode, ['-o', gotBig, url(`${dir}/sub/big.bin`)]), 'curl download big');
      assert.equal(await sha256File(got256), local.sha.all256);
      assert.equal(await sha256File(gotBig), local.sha.big);

      // rename (quote commands), copy by download and upload
      const rename = await curl(mode, ['-Q', `RNFR ${dir}/sub/all256.bin`, '-Q', `RNTO ${dir}/sub/renamed.bin`, url(`${dir}/sub/`)]);
      assertRanOk(rename, 'curl rename');
      assert.deepEqual(listedNames(rename.stdout).sort(), ['big.bin', 'renamed.bin']);
      const copySource = local.fresh('copy-source.bin');
      assertRanOk(await curl(mode, ['-o', copySource, url(`${dir}/sub/renamed.bin`)]), 'curl copy: download');
      assertRanOk(await curl(mode, ['-T', copySource, url(`${dir}/sub/copy.bin`)]), 'curl copy: upload');
      assert.equal(await sha256File(join(fixture.home, dir, 'sub', 'copy.bin')), local.sha.all256);
      const names = await curl(mode, ['-l', url(`${dir}/sub/`)]);
      assert.deepEqual(names.stdout.split(/\r?\n/).filter(Boolean).sort(), ['big.bin', 'copy.bin', 'renamed.bin'], 'NLST');

      // delete, rmdir
      const clean = await curl(mode, [
        ...['DELE', 'DELE', 'DELE'].flatMap((verb, i) => ['-Q', `${verb} ${dir}/sub/${['renamed.bin', 'copy.bin', 'big.bin'][i]}`]),
        ...['-Q', `RMD ${dir}/sub`, '-Q', `RMD ${dir}`],
        url(''),
      ]);
      assertRanOk(clean, 'curl delete/rmdir');
      assert.equal(await exists(join(fixture.home, dir)), false);
      assert.ok(!listedNames(clean.stdout).includes(dir), clean.stdout);
    });

    it(`anonymous: download works, upload is refused (${mode} mode)`, async (t: TestContext) => {
      if (!requireTool(t, CURL)) return;
      const target = fixture.local.fresh('readme.txt');
      const download = await curl(mode, ['-o', target, url(PUBLIC_FILE.name, null)]);
      assertRanOk(download, 'curl anonymous download');
      assert.ok(download.sent.includes('USER anonymous'), download.sent.join(' | '));
      assert.deepEqual(await readFile(target), PUBLIC_FILE.content);

      const upload = await curl(mode, ['-T', fixture.local.all256, url(`curl-up-${mode}.bin`, null)]);
      assert.equal(upload.code, 25, `CURLE_UPLOAD_FAILED expected\n${upload.stderr}`);
      assert.match(upload.stderr, /< 550 /);
      assert.equal(await exists(join(fixture.server.dataDir, 'public', `curl-up-${mode}.bin`)), false);
    });

    it(`a wrong password is refused (${mode} mode)`, async (t: TestContext) => {
      if (!requireTool(t, CURL)) return;
      const result = await curl(mode, [url('', { user: 'alice', password: 'not-the-password' })]);
      assert.equal(result.code, 67, `CURLE_LOGIN_DENIED expected\n${result.stderr}`);
      assert.match(result.stderr, /< 530 /);
    });
  }
});
