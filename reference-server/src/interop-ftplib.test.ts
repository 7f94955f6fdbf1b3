/**
 * Interop with Python's ftplib (the system /usr/bin/python3, not a pyenv one):
 * the file-manager scenario in passive and active mode (`set_pasv`), anonymous
 * access, a wrong password. The Python side only drives ftplib and reports
 * what it saw as JSON; every check is made here.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireTool } from '../test/require-tool.ts';
import { ALICE, HELLO, MODES, PUBLIC_FILE, assertUploaded, exists, run, sha256File, startInteropFixture, type InteropFixture, type Mode } from '../test/interop-scenario.ts';

const PYTHON = '/usr/bin/python3';

/** One phase of the scenario, driven by ftplib; prints `{"sent": [...], ...}` or `{"error": ...}`. */
const DRIVER = String.raw`
import ftplib, io, json, sys

cfg = json.load(sys.stdin)
sent = []
out = {}

class Recording(ftplib.FTP):
    def putcmd(self, line):
        sent.append(line)
        super().putcmd(line)

def lines(ftp, command):
    found = []
    ftp.retrlines(command, found.append)
    return found

ftp = Recording()
try:
    ftp.connect('127.0.0.1', cfg['port'], timeout=20)
    phase = cfg['phase']
    if phase == 'wrong-password':
        try:
            ftp.login(cfg['user'], 'not-the-password')
            out['refused'] = None
        except ftplib.error_perm as e:
            out['refused'] = str(e)
    elif phase == 'anonymous':
        ftp.login()
        ftp.set_pasv(cfg['mode'] == 'passive')
        data = io.BytesIO()
        ftp.retrbinary('RETR ' + cfg['public'], data.write)
        out['public'] = data.getvalue().hex()
        try:
            ftp.storbinary('STOR ' + cfg['upload'], io.BytesIO(b'nope'))
            out['upload'] = None
        except ftplib.error_perm as e:
            out['upload'] = str(e)
    else:
        ftp.login(cfg['user'], cfg['password'])
        ftp.set_pasv(cfg['mode'] == 'passive')
        d = cfg['dir']
        if phase == 'upload':
            out['root_names'] = ftp.nlst()
            out['root_list'] = lines(ftp, 'LIST')
            out['mkd'] = ftp.mkd(d)
            ftp.cwd(d)
            out['pwd'] = ftp.pwd()
            for local, remote in [(cfg['all256'], 'all256.bin'), (cfg['big'], 'big.bin')]:
                with open(local, 'rb') as f:
                    out['stor_' + remote] = ftp.storbinary('STOR ' + remote, f)
        elif phase == 'manage':
            ftp.cwd(d)
            for remote, local in [('all256.bin', cfg['got256']), ('big.bin', cfg['gotBig'])]:
                with open(local, 'wb') as f:
                    out['retr_' + remote] = ftp.retrbinary('RETR ' + remote, f.write)
            out['rename'] = ftp.rename('all256.bin', 'renamed.bin')
            copy = io.BytesIO()
            ftp.retrbinary('RETR renamed.bin', copy.write)
            copy.seek(0)
            out['copy'] = ftp.storbinary('STOR copy.bin', copy)
            out['mlsd'] = sorted([name, facts.get('type'), facts.get('size')] for name, facts in ftp.mlsd())
            out['size_big_ascii'] = ftp.size('big.bin')
            ftp.voidcmd('TYPE I')
            out['size_big'] = ftp.size('big.bin')
        elif phase == 'clean':
            ftp.cwd(d)
            for name in ['renamed.bin', 'copy.bin', 'big.bin']:
                ftp.delete(name)
            ftp.cwd('..')
            out['rmd'] = ftp.rmd(d)
            out['root_names'] = ftp.nlst()
    ftp.quit()
except Exception as e:
    out['error'] = '%s: %s' % (type(e).__name__, e)
out['sent'] = sent
print(json.dumps(out))
`;

let fixture: InteropFixture;

before(async () => {
  fixture = await startInteropFixture();
});

after(async () => {
  await fixture.cleanup();
});

/** What the driver printed: whatever ftplib returned, by step name. */
type PhaseOutput = Record<string, unknown> & { sent: string[]; error?: string };

function text(output: PhaseOutput, key: string): string {
  const value = output[key];
  assert.equal(typeof value, 'string', `${key}: ${JSON.stringify(value)}`);
  return value as string;
}

function strings(output: PhaseOutput, key: string): string[] {
  const value = output[key];
  assert.ok(Array.isArray(value) && value.every((item) => typeof item === 'string'), `${key}: ${JSON.stringify(value)}`);
  return value;
}

async function phase(mode: Mode, name: string, extra: Record<string, unknown> = {}): Promise<PhaseOutput> {
  const config = { port: fixture.server.port, mode, phase: name, ...ALICE, ...extra };
  const result = await run(PYTHON, ['-c', DRIVER], { input: JSON.stringify(config), timeoutMs: 60_000 });
  assert.equal(result.code, 0, `python exited ${result.code}: ${result.stderr}`);
  const output = JSON.parse(result.stdout) as PhaseOutput;
  assert.equal(output.error, undefined, `ftplib ${name}: ${output.error}\nsent: ${output.sent.join(' | ')}`);
  return output;
}

function assertMode(mode: Mode, sent: string[]): void {
  const passive = sent.some((line) => /^(PASV|EPSV)\b/.test(line));
  const active = sent.some((line) => /^(PORT|EPRT) /.test(line));
  assert.ok(mode === 'passive' ? passive && !active : active && !passive, `${mode} mode, but ftplib sent: ${sent.join(' | ')}`);
}

describe('Python ftplib', () => {
  for (const mode of MODES) {
    it(`file-manager scenario, ${mode} mode`, async (t: TestContext) => {
      if (!requireTool(t, PYTHON)) return;
      const dir = `ftplib-${mode}`;
      const local = fixture.local;

      const upload = await phase(mode, 'upload', { dir, all256: local.all256, big: local.big });
      assertMode(mode, upload.sent);
      assert.ok(strings(upload, 'root_names').includes(HELLO.name), strings(upload, 'root_names').join(','));
      assert.ok(strings(upload, 'root_list').some((line) => line.endsWith(` ${HELLO.name}`) && line.startsWith('-')), strings(upload, 'root_list').join('\n'));
      assert.equal(text(upload, 'mkd'), `/${dir}`);
      assert.equal(text(upload, 'pwd'), `/${dir}`);
      assert.match(text(upload, 'stor_all256.bin'), /^226 /);
      assert.match(text(upload, 'stor_big.bin'), /^226 /);
      await assertUploaded(fixture, dir, { all256: 'all256.bin', big: 'big.bin' });

      const got256 = local.fresh('all256.bin');
      const gotBig = local.fresh('big.bin');
      const manage = await phase(mode, 'manage', { dir, got256, gotBig });
      assertMode(mode, manage.sent);
      assert.equal(await sha256File(got256), local.sha.all256);
      assert.equal(await sha256File(gotBig), local.sha.big);
      assert.match(text(manage, 'rename'), /^250 /);
      assert.match(text(manage, 'copy'), /^226 /);
      assert.deepEqual(manage.mlsd, [
        ['.', 'cdir', null],
        ['big.bin', 'file', String(10 * 1024 * 1024 + 13)],
        ['copy.bin', 'file', '256'],
        ['renamed.bin', 'file', '256'],
      ]);
      assert.equal(manage.size_big, 10 * 1024 * 1024 + 13, 'SIZE in TYPE I');
      const bytes = await readFile(local.big);
      const bareLf = bytes.reduce((count, byte, i) => count + (byte === 0x0a && bytes[i - 1] !== 0x0d ? 1 : 0), 0);
      assert.equal(manage.size_big_ascii, bytes.length + bareLf, 'SIZE in TYPE A counts the CRs ASCII mode adds (RFC 3659 §4)');
      assert.equal(await sha256File(join(fixture.home, dir, 'copy.bin')), local.sha.all256);

      const clean = await phase(mode, 'clean', { dir });
      assert.match(text(clean, 'rmd'), /^250 /);
      assert.ok(!strings(clean, 'root_names').includes(dir));
      assert.equal(await exists(join(fixture.home, dir)), false);
    });

    it(`anonymous: download works, upload is refused (${mode} mode)`, async (t: TestContext) => {
      if (!requireTool(t, PYTHON)) return;
      const output = await phase(mode, 'anonymous', { public: PUBLIC_FILE.name, upload: `ftplib-up-${mode}.bin` });
      assertMode(mode, output.sent);
      assert.ok(output.sent.includes('USER anonymous'), output.sent.join(' | '));
      assert.equal(text(output, 'public'), PUBLIC_FILE.content.toString('hex'));
      assert.match(text(output, 'upload'), /^550 /, 'anonymous upload must be refused');
      assert.equal(await exists(join(fixture.server.dataDir, 'public', `ftplib-up-${mode}.bin`)), false);
      assert.deepEqual(await readFile(join(fixture.server.dataDir, 'public', PUBLIC_FILE.name)), PUBLIC_FILE.content);
    });

    it(`a wrong password is refused (${mode} mode)`, async (t: TestContext) => {
      if (!requireTool(t, PYTHON)) return;
      const output = await phase(mode, 'wrong-password');
      assert.match(text(output, 'refused'), /^530 /, 'a wrong password must be refused');
    });
  }
});
