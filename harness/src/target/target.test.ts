import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFeat, parseSiteHelp, missingRequirements } from './capabilities.ts';
import { buildProfile, parseAccountFlag, parseHostPort, TargetError } from './profile.ts';
import { parseReplies } from '../wire/reply-parser.ts';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';

const reply = (text: string) => parseReplies(text).replies[0]!;

test('FEAT of real servers: first word and first two words', () => {
  const vsftpd = reply('211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n');
  assert.deepEqual(parseFeat(vsftpd).sort(), ['EPRT', 'EPSV', 'MDTM', 'PASV', 'REST', 'REST STREAM', 'SIZE', 'TVFS']);
  const withMlst = reply('211-Extensions supported:\r\n MLST type*;size*;modify*;\r\n AUTH TLS\r\n UTF8\r\n211 END\r\n');
  assert.ok(parseFeat(withMlst).includes('MLST'));
  assert.ok(parseFeat(withMlst).includes('AUTH TLS'));
  assert.deepEqual(parseFeat(reply('500 Unknown\r\n')), []);
});

test('SITE HELP: one per line or several per line', () => {
  const ftpRef = reply('214-SITE commands:\r\n HELP\r\n REGISTER <user> <password>\r\n QUOTA\r\n USERS (admin)\r\n214 End\r\n');
  assert.deepEqual(parseSiteHelp(ftpRef).sort(), ['SITE HELP', 'SITE QUOTA', 'SITE REGISTER', 'SITE USERS']);
  const proftpd = reply('214-The following SITE commands are recognized (* =>\'s unimplemented)\r\n CHMOD\r\n HELP    CPFR    CPTO\r\n214 Direct comments to root\r\n');
  assert.ok(parseSiteHelp(proftpd).includes('SITE CPFR'));
  assert.deepEqual(missingRequirements(['role:user', 'MLST'], new Set(['role:user'])), ['MLST']);
});

test('targets and account flags are parsed with clear errors', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:21'), { host: '127.0.0.1', port: 21 });
  assert.deepEqual(parseHostPort('[::1]:2121'), { host: '::1', port: 2121 });
  assert.throws(() => parseHostPort('localhost'), TargetError);
  assert.throws(() => parseHostPort('h:99999'), /port 99999 is out of range \(1-65535\)/);
  assert.throws(() => parseHostPort('h:1234567'), /port 1234567 is out of range/);
  assert.deepEqual(parseAccountFlag('alice:pa:ss', 'user'), { name: 'alice', password: 'pa:ss' });
  assert.deepEqual(parseAccountFlag('q:pw:1024', 'quota-user', true), { name: 'q', password: 'pw', limit: 1024 });
  assert.throws(() => parseAccountFlag('q:pw', 'quota-user', true), /name:password:limit/);
});

test('a profile file is schema-checked and flags win over it', async (t) => {
  const dir = await temporaryFolder(t, 'profile-');
  const file = join(dir, 'p.yaml');
  await writeFile(file, 'target: 127.0.0.1:21\naccounts:\n  user: { name: a, password: b }\nlimits: { maxConnections: 5 }\n');
  const profile = await buildProfile({ profile: file, user: 'x:y' });
  assert.equal(profile.accounts.user?.name, 'x');
  assert.equal(profile.limits.maxConnections, 5);
  assert.equal(profile.accounts.anonymous?.name, 'anonymous');
  await writeFile(file, 'target: 127.0.0.1:21\ntls: false\nacounts: {}\n');
  await assert.rejects(buildProfile({ profile: file }), /not valid:\n.*p\.yaml:3: top level: unknown key "acounts"/);
  await writeFile(file, 'target: 127.0.0.1:21\naccounts:\n  user: { name: a, password: b\n  user2: {}\n');
  await assert.rejects(buildProfile({ profile: file }), /not valid YAML:\n.*p\.yaml:4:\d+: YAML: /);
  await assert.rejects(buildProfile({}), /no target/);
});
