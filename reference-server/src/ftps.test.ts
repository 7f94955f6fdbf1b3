/**
 * Explicit FTPS (RFC 4217): AUTH TLS, PBSZ 0, PROT P, transfers over TLS data
 * connections with a raw client and with curl --ssl-reqd; `requireTls` refuses
 * USER before AUTH TLS (530) and clear data (534); the self-signed pair is made
 * in <data>/tls at first start and reused after a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startTempServer, type TempServer } from './temp-server.ts';
import { RawFtp } from '../test/raw-ftp-client.ts';
import { requireTool } from '../test/require-tool.ts';
import { patternBytes, sha256 } from '../test/extension-kit.ts';

/** AUTH TLS, PBSZ 0, PROT P, then login: the order RFC 4217 §§4-9 asks for. */
async function secureLogin(port: number, user: string, password: string): Promise<RawFtp> {
  const { client } = await RawFtp.connect(port);
  await client.startTls();
  await client.expect('PBSZ 0', 200);
  await client.expect('PROT P', 200);
  client.protectData = true;
  await client.expect(`USER ${user}`, 331);
  await client.expect(`PASS ${password}`, 230);
  await client.expect('TYPE I', 200);
  return client;
}

describe('AUTH TLS + PBSZ 0 + PROT P transfers (RFC 4217)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer();
  });
  after(() => server.stop());

  test('FEAT offers AUTH TLS, PBSZ and PROT; PBSZ and PROT need AUTH TLS first (503)', async () => {
    const { client } = await RawFtp.connect(server.port);
    const features = (await client.send('FEAT')).lines.slice(1, -1).map((line) => line.trim());
    for (const feature of ['AUTH TLS', 'PBSZ', 'PROT']) assert.ok(features.includes(feature), `FEAT lists ${feature}`);
    assert.equal((await client.send('PBSZ 0')).code, 503);
    assert.equal((await client.send('PROT P')).code, 503);
    assert.equal((await client.send('AUTH KERBEROS')).code, 504);
    await client.startTls();
    assert.equal((await client.send('PROT P')).code, 503, 'PROT before PBSZ');
    assert.equal((await client.send('AUTH TLS')).code, 503, 'TLS already active');
    await client.quit();
  });

  test('upload, download and listing over TLS data connections are byte-exact', async () => {
    const client = await secureLogin(server.port, 'alice', 'alice-pw');
    const body = patternBytes(1_234_567, 51);
    await client.put('secret.bin', body);
    assert.equal(sha256(await client.get('secret.bin')), sha256(body));
    assert.equal(sha256(await client.get('secret.bin', { restAt: 1_000_000 })), sha256(body.subarray(1_000_000)));
    const listing = (await client.download('NLST')).body.toString();
    assert.deepEqual(listing.split('\r\n').filter(Boolean), ['secret.bin']);
    assert.match((await client.send('STAT')).lines.join('\n'), /TLS: control protected, data private/);
    assert.equal(sha256(readFileSync(join(server.dataDir, 'storage', 'alice', 'secret.bin'))), sha256(body));
    await client.quit();
  });

  test('curl --ssl-reqd uploads and downloads byte-exact, with AUTH TLS, PBSZ 0 and PROT P', async (t) => {
    if (!requireTool(t, 'curl')) return;
    const work = await mkdtemp(join(tmpdir(), 'ftp-ref-ftps-'));
    try {
      const body = patternBytes(2_000_003, 52);
      writeFileSync(join(work, 'up.bin'), body);
      const url = `ftp://alice:alice-pw@127.0.0.1:${server.port}/curl-tls.bin`;
      const upload = await execa('curl', ['-sS', '-v', '--max-time', '30', '--ssl-reqd', '-k', '-T', join(work, 'up.bin'), url], { timeout: 40_000 });
      // curl 7.x opens with AUTH SSL, which RFC 4217 §4 servers take as AUTH TLS.
      assert.match(upload.stderr, /> AUTH (TLS|SSL)\r?\n< 234 /);
      for (const command of ['PBSZ 0', 'PROT P', 'STOR curl-tls.bin']) assert.match(upload.stderr, new RegExp(`> ${command}`), `curl sent ${command}`);
      assert.equal(sha256(readFileSync(join(server.dataDir, 'storage', 'alice', 'curl-tls.bin'))), sha256(body));
      await execa('curl', ['-sS', '--max-time', '30', '--ssl-reqd', '-k', '-o', join(work, 'down.bin'), url], { timeout: 40_000 });
      assert.equal(sha256(readFileSync(join(work, 'down.bin'))), sha256(body));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('requireTls: true', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({ settings: { requireTls: true } });
  });
  after(() => server.stop());

  test('USER before AUTH TLS is 530; FEAT, AUTH and QUIT still work', async () => {
    const { client } = await RawFtp.connect(server.port);
    assert.ok((await client.send('FEAT')).lines.some((line) => line.trim() === 'AUTH TLS'));
    assert.equal((await client.send('USER alice')).code, 530);
    assert.equal((await client.send('PASS alice-pw')).code, 530);
    assert.equal((await client.send('SITE REGISTER someone pw')).code, 530);
    await client.startTls();
    await client.expect('USER alice', 331);
    await client.expect('PASS alice-pw', 230);
    await client.quit();
  });

  test('clear data is refused with 534 (PROT C, or no PROT P before PASV/EPSV); PROT P works', async () => {
    const { client } = await RawFtp.connect(server.port);
    await client.startTls();
    await client.expect('USER alice', 331);
    await client.expect('PASS alice-pw', 230);
    assert.equal((await client.send('EPSV')).code, 534, 'EPSV before PBSZ/PROT');
    assert.equal((await client.send('PASV')).code, 534, 'PASV before PBSZ/PROT');
    await client.expect('PBSZ 0', 200);
    assert.equal((await client.send('PROT C')).code, 534);
    assert.equal((await client.send('EPSV')).code, 534, 'EPSV after a refused PROT C');
    await client.expect('PROT P', 200);
    client.protectData = true;
    await client.expect('TYPE I', 200);
    const body = patternBytes(100_000, 53);
    await client.put('tls-only.bin', body);
    assert.equal(sha256(await client.get('tls-only.bin')), sha256(body));
    await client.quit();
  });

  test('curl without TLS is refused; curl --ssl-reqd works', async (t) => {
    if (!requireTool(t, 'curl')) return;
    const url = `ftp://alice:alice-pw@127.0.0.1:${server.port}/`;
    const clear = await execa('curl', ['-sS', '-v', '--max-time', '20', '--list-only', url], { reject: false, timeout: 30_000 });
    assert.notEqual(clear.exitCode, 0);
    assert.match(clear.stderr, /< 530/);
    const secure = await execa('curl', ['-sS', '--max-time', '20', '--ssl-reqd', '-k', '--list-only', url], { timeout: 30_000 });
    assert.match(secure.stdout, /tls-only\.bin/);
  });
});

describe('the self-signed certificate (<data>/tls)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ftp-ref-cert-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function presentedCertificate(port: number): Promise<Buffer> {
    const { client } = await RawFtp.connect(port);
    await client.startTls();
    const der = client.peerCertificateDer();
    await client.quit();
    return der;
  }

  test('is made at first start, shown to clients, and reused after a restart', async () => {
    const first = await startTempServer({ dataDir });
    const certFile = join(dataDir, 'tls', 'cert.pem');
    const keyFile = join(dataDir, 'tls', 'key.pem');
    const pem = readFileSync(certFile, 'utf8');
    assert.equal(statSync(keyFile).mode & 0o077, 0, 'the private key is readable by its owner only');
    const onDisk = new X509Certificate(pem);
    assert.match(onDisk.subject, /CN=ftp-ref/);
    const yearsValid = (Date.parse(onDisk.validTo) - Date.now()) / (365.25 * 24 * 3600 * 1000);
    assert.ok(yearsValid > 9, `a pair that is kept for reuse is valid for years, not ${yearsValid.toFixed(2)}`);
    assert.deepEqual(await presentedCertificate(first.port), onDisk.raw);
    const firstMtime = statSync(certFile).mtimeMs;
    await first.stop({ keepData: true });

    const second = await startTempServer({ dataDir });
    try {
      assert.equal(readFileSync(certFile, 'utf8'), pem, 'the pair is reused, not made again');
      assert.equal(statSync(certFile).mtimeMs, firstMtime);
      assert.deepEqual(await presentedCertificate(second.port), onDisk.raw);
    } finally {
      await second.stop({ keepData: true });
    }
  });
});
