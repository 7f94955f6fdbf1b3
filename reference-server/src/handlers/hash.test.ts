/**
 * HASH and OPTS HASH (draft-bryan-ftpext-hash; protocol.md "Uploads and
 * resume": HASH reports the digest of the whole file or of a REST range),
 * checked over raw sockets and with Python's ftplib, against digests computed here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { startTempServer, type TempServer } from '../temp-server.ts';
import { RawFtp } from '../../test/raw-ftp-client.ts';
import { requireTool } from '../../test/require-tool.ts';
import { SYSTEM_PYTHON, digest, patternBytes } from '../../test/extension-kit.ts';

const BODY = patternBytes(300_001, 42);
const RANGE_START = 123_457;

function featLines(lines: string[]): string[] {
  return lines.slice(1, -1).map((line) => line.trim());
}

describe('HASH over a raw control connection', () => {
  let server: TempServer;
  let client: RawFtp;
  before(async () => {
    server = await startTempServer();
    client = await RawFtp.login(server.port, 'alice', 'alice-pw');
    await client.put('data.bin', BODY);
  });
  after(async () => {
    await client.quit();
    await server.stop();
  });

  test('FEAT lists HASH SHA-256*;SHA-512;SHA-1;MD5 and the * follows OPTS HASH', async () => {
    const feat = await client.send('FEAT');
    assert.equal(feat.code, 211);
    assert.ok(featLines(feat.lines).includes('HASH SHA-256*;SHA-512;SHA-1;MD5'), feat.lines.join('\n'));
    await client.expect('OPTS HASH MD5', 200);
    assert.ok(featLines((await client.send('FEAT')).lines).includes('HASH SHA-256;SHA-512;SHA-1;MD5*'));
    assert.equal((await client.send('OPTS HASH')).text, 'MD5');
    await client.expect('OPTS HASH SHA-256', 200);
  });

  test('the default algorithm is SHA-256 and the reply names algorithm, range, digest and file', async () => {
    const reply = await client.send('HASH data.bin');
    assert.equal(reply.code, 213);
    assert.equal(reply.text, `SHA-256 0-${BODY.length} ${digest('sha256', BODY)} data.bin`);
  });

  test('each algorithm chosen with OPTS HASH gives the digest computed locally', async () => {
    const algorithms = [
      ['SHA-512', 'sha512'],
      ['SHA-1', 'sha1'],
      ['MD5', 'md5'],
      ['SHA-256', 'sha256'],
    ] as const;
    for (const [name, node] of algorithms) {
      await client.expect(`OPTS HASH ${name}`, 200);
      const reply = await client.send('HASH data.bin');
      assert.equal(reply.text, `${name} 0-${BODY.length} ${digest(node, BODY)} data.bin`);
    }
    assert.equal((await client.send('OPTS HASH CRC32')).code, 501);
    assert.equal((await client.send('OPTS HASH')).text, 'SHA-256', 'a refused OPTS HASH keeps the selection');
  });

  test('REST n before HASH digests bytes n..end, and only for that one HASH', async () => {
    await client.expect(`REST ${RANGE_START}`, 350);
    const ranged = await client.send('HASH data.bin');
    assert.equal(ranged.text, `SHA-256 ${RANGE_START}-${BODY.length} ${digest('sha256', BODY.subarray(RANGE_START))} data.bin`);
    const whole = await client.send('HASH data.bin');
    assert.equal(whole.text, `SHA-256 0-${BODY.length} ${digest('sha256', BODY)} data.bin`);
    await client.expect(`REST ${BODY.length}`, 350);
    assert.equal((await client.send('HASH data.bin')).text, `SHA-256 ${BODY.length}-${BODY.length} ${digest('sha256', Buffer.alloc(0))} data.bin`);
    await client.expect(`REST ${BODY.length + 1}`, 350);
    assert.equal((await client.send('HASH data.bin')).code, 550);
  });

  test('HASH of a missing file, a folder or a path outside the home is 550; before login 530', async () => {
    assert.equal((await client.send('HASH missing.bin')).code, 550);
    await client.expect('MKD folder', 257);
    assert.equal((await client.send('HASH folder')).code, 550);
    assert.equal((await client.send('HASH ../bob/x')).code, 550);
    assert.equal((await client.send('HASH ../../accounts.json')).code, 550);
    const { client: stranger } = await RawFtp.connect(server.port);
    assert.equal((await stranger.send('HASH data.bin')).code, 530);
    await stranger.quit();
  });
});

const FTPLIB_HASH_SCRIPT = String.raw`
import ftplib, io, json, sys
port, user, password, body_len, range_start = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
body = sys.stdin.buffer.read()
assert len(body) == body_len
out = {}
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', port, timeout=10)
ftp.login(user, password)
out['feat'] = ftp.sendcmd('FEAT')
ftp.storbinary('STOR py.bin', io.BytesIO(body))
out['size'] = ftp.size('py.bin')
out['default'] = ftp.sendcmd('HASH py.bin')
for name in ['SHA-256', 'SHA-512', 'SHA-1', 'MD5']:
    out['opts ' + name] = ftp.sendcmd('OPTS HASH ' + name)
    out[name] = ftp.sendcmd('HASH py.bin')
ftp.sendcmd('OPTS HASH SHA-256')
out['rest'] = ftp.sendcmd('REST %d' % range_start)
out['range'] = ftp.sendcmd('HASH py.bin')
chunks = []
ftp.retrbinary('RETR py.bin', chunks.append)
out['roundtrip'] = b''.join(chunks) == body
try:
    ftp.sendcmd('HASH nothing-here.bin')
    out['missing'] = 'no error'
except ftplib.error_perm as error:
    out['missing'] = str(error)
ftp.quit()
print(json.dumps(out))
`;

describe('HASH with Python ftplib (/usr/bin/python3)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer();
  });
  after(() => server.stop());

  test('SHA-256, SHA-512, SHA-1, MD5 via OPTS HASH and a REST range match local digests', async (t) => {
    if (!requireTool(t, SYSTEM_PYTHON)) return;
    const { stdout } = await execa(SYSTEM_PYTHON, ['-c', FTPLIB_HASH_SCRIPT, String(server.port), 'alice', 'alice-pw', String(BODY.length), String(RANGE_START)], {
      input: BODY,
      timeout: 30_000,
    });
    const out = JSON.parse(stdout) as Record<string, string | number | boolean>;
    assert.match(String(out.feat), /\n HASH SHA-256\*;SHA-512;SHA-1;MD5\r?\n/);
    assert.equal(out.size, BODY.length);
    assert.equal(out.roundtrip, true);
    const n = BODY.length;
    assert.equal(out.default, `213 SHA-256 0-${n} ${digest('sha256', BODY)} py.bin`);
    assert.equal(out['SHA-256'], `213 SHA-256 0-${n} ${digest('sha256', BODY)} py.bin`);
    assert.equal(out['SHA-512'], `213 SHA-512 0-${n} ${digest('sha512', BODY)} py.bin`);
    assert.equal(out['SHA-1'], `213 SHA-1 0-${n} ${digest('sha1', BODY)} py.bin`);
    assert.equal(out.MD5, `213 MD5 0-${n} ${digest('md5', BODY)} py.bin`);
    for (const name of ['SHA-256', 'SHA-512', 'SHA-1', 'MD5']) assert.match(String(out[`opts ${name}`]), /^200 /);
    assert.match(String(out.rest), /^350 /);
    assert.equal(out.range, `213 SHA-256 ${RANGE_START}-${n} ${digest('sha256', BODY.subarray(RANGE_START))} py.bin`);
    assert.match(String(out.missing), /^550 /);
  });
});
