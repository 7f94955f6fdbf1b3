/**
 * Script mode as a user runs it: against the embedded ftp-ref every command of
 * a file manager's day works with no WARNING (exit 0); against scripted fake
 * servers each fault gives its WARNING and exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';
import { startFakeServer, type FakeServerOptions } from './testing/fake-ftp-server.ts';
import { runShell } from './testing/run-shell.ts';

const MiB = 1024 * 1024;

test('against the embedded ftp-ref: mkdir, cd, put 20 MiB, ls, get back byte-exact, verify, mv, cp, rm, rmdir, quota: exit 0, no WARNING', { timeout: 60_000 }, async (t) => {
  const dir = await temporaryFolder(t, 'shell-script-');
  const original = randomBytes(20 * MiB);
  await writeFile(join(dir, 'big.bin'), original);
  const big = join(dir, 'big.bin');
  const back = join(dir, 'back.bin');
  const result = await runShell({}, [
    'mkdir work',
    'cd work',
    'pwd',
    `put ${big} big.bin`,
    'ls -l',
    `get big.bin ${back}`,
    `verify big.bin ${big}`,
    'mv big.bin moved.bin',
    'cp moved.bin copy.bin',
    'size copy.bin',
    'nlist',
    'rm moved.bin',
    'rm copy.bin',
    'cd ..',
    'rmdir work',
    'quota',
  ]);
  assert.deepEqual(result.warnings, [], result.output);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /script done: 0 commands failed, 0 warnings/);
  assert.match(result.output, /put \S+big\.bin: 20971520 bytes in [\d.]+ s .*SHA-256 [0-9a-f]{16}\.\.\. ok/);
  assert.match(result.output, /-rw\S+ .* 20971520 .* big\.bin/);
  assert.match(result.output, /copy\.bin: 20971520 bytes/);
  assert.ok((await readFile(back)).equals(original), 'the downloaded file is byte-exact');
});

test('under --tls against a TLS ftp-ref: EPSV, PORT and EPRT transfers, protected (PROT P), checked, no WARNING', { timeout: 60_000 }, async (t) => {
  const dir = await temporaryFolder(t, 'shell-tls-');
  const original = randomBytes(MiB);
  await writeFile(join(dir, 'one.bin'), original);
  const result = await runShell({ tls: true }, [
    'passive epsv',
    `put ${join(dir, 'one.bin')} one.bin`,
    'active',
    'ls',
    `get one.bin ${join(dir, 'back.bin')}`,
    'active eprt',
    'nlist',
    'status',
    'rm one.bin',
  ]);
  assert.deepEqual(result.warnings, [], result.output);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /connected: 127\.0\.0\.1:\d+ \(TLS\)/);
  assert.match(result.output, /data connections: EPRT, protected \(PROT P\)/);
  assert.ok((await readFile(join(dir, 'back.bin'))).equals(original));
});

async function againstFake(t: { after: (fn: () => Promise<void>) => void }, options: FakeServerOptions, script: string[]) {
  const server = await startFakeServer(options);
  t.after(() => server.stop());
  return { server, result: await runShell({ target: `${server.host}:${server.port}`, user: 'u:p' }, script) };
}

test('a malformed multi-line reply (an inner line that starts with a code): WARNING citing RFC 959 §4.2, exit 1', async (t) => {
  const { result } = await againstFake(t, { replies: { HELP: '214-Commands:\r\n200 USER PASS\r\n214 End\r\n' } }, ['quote HELP']);
  assert.equal(result.warnings.length, 1, result.output);
  assert.match(result.warnings[0] ?? '', /multi-line reply 214 has an inner line that starts with a code: "200 USER PASS" — RFC 959 §4\.2/);
  assert.equal(result.code, 1);
});

test('a multi-line reply closed early by an unpadded "ddd " line: the rest is an extra reply, WARNING, exit 1', async (t) => {
  const { result } = await againstFake(t, { replies: { SYST: '215-UNIX\r\n215 Type: L8\r\n215 and more\r\n' } }, ['quote SYST', 'pwd']);
  assert.match(result.warnings.join('\n'), /an extra reply after the reply to SYST: 215 "215 and more" — RFC 959 §4\.2/, result.output);
  assert.match(result.output, /ftp> pwd\n"\/" is the current directory|ftp> pwd\n257 "\/"/, 'pwd then gets its own reply');
  assert.equal(result.code, 1);
});

test('an unquoted 257: WARNING citing RFC 959 Appendix II, exit 1', async (t) => {
  const { result } = await againstFake(t, { replies: { PWD: '257 / is the current directory.' } }, ['pwd']);
  assert.equal(result.warnings.length, 1, result.output);
  assert.match(result.warnings[0] ?? '', /257 to PWD does not give the path in double quotes.*RFC 959 Appendix II/);
  assert.equal(result.code, 1);
});

test('a PASV reply naming a foreign address: WARNING, the listing still read from the control peer, exit 1', async (t) => {
  const { result } = await againstFake(t, { pasvHost: '10.20.30.40', files: { 'a.txt': Buffer.from('hello\n') } }, ['ls']);
  assert.equal(result.warnings.length, 1, result.output);
  assert.match(result.warnings[0] ?? '', /227 names 10\.20\.30\.40, not the server's address 127\.0\.0\.1.*RFC 959 §4\.1\.2 PASV/);
  assert.match(result.output, /^a\.txt$/m);
  assert.equal(result.code, 1);
});

test('a short transfer (226 after fewer bytes than SIZE): WARNING citing RFC 3659 §4, exit 1', async (t) => {
  const dir = await temporaryFolder(t, 'shell-short-');
  const { result } = await againstFake(t, { shortRetr: 600, files: { 'f.bin': randomBytes(1000) } }, [`get f.bin ${join(dir, 'f.bin')}`]);
  assert.equal(result.warnings.length, 1, result.output);
  assert.match(result.warnings[0] ?? '', /get f\.bin: 600 bytes transferred but SIZE says 1000 — RFC 3659 §4/);
  assert.equal(result.code, 1);
});

test('a failed command (550, an unknown command, a local file it cannot write) without any WARNING still exits 1, and the script goes on', async (t) => {
  const { result } = await againstFake(t, { files: { 'a.txt': Buffer.from('a\n') } }, ['rm missing.txt', 'frobnicate', 'get a.txt /no/such/folder/a.txt', 'pwd']);
  assert.deepEqual(result.warnings, [], result.output);
  assert.match(result.output, /550 No such file\.\n {2}-> FAILED/);
  assert.match(result.output, /unknown command "frobnicate"/);
  assert.match(result.output, /get: ENOENT: no such file or directory, open '\/no\/such\/folder\/a\.txt'\n {2}-> FAILED/, 'a local file error fails the command only');
  assert.match(result.output, /3 commands failed, 0 warnings/);
  assert.equal(result.code, 1);
});

test('open and user reach a server from within the script', async (t) => {
  const server = await startFakeServer({});
  t.after(() => server.stop());
  const other = await startFakeServer({ replies: { PWD: '257 "/elsewhere" is the current directory.' } });
  t.after(() => other.stop());
  const result = await runShell({ target: `${server.host}:${server.port}`, user: 'u:p' }, [`open ${other.host}:${other.port}`, 'pwd', 'user bob s3cret', 'pwd']);
  assert.match(result.output, /ftp> pwd\n257 "\/elsewhere"/);
  assert.match(result.output, /ftp> user bob \*\*\*\n230 Logged in\./);
  assert.ok(other.received.includes('USER bob') && other.received.includes('PASS s3cret'), other.received.join(', '));
  assert.deepEqual(result.warnings, [], result.output);
  assert.equal(result.code, 0, result.output);
});
