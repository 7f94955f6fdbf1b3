/**
 * Hostile paths over the wire never leave the root (protocol.md "Accounts and
 * rights"; CWE-22): checked by where things land on disk, and by what replies
 * say. A path outside gets the same words as a missing file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, readdir, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer, type TempServer } from './temp-server.ts';
import { ControlClient } from '../test/control-client.ts';

let server: TempServer;
let alice: ControlClient;
const clients: ControlClient[] = [];
let home: string;

async function open(user: string, password: string): Promise<ControlClient> {
  const client = await ControlClient.open(server.port, { user, password });
  clients.push(client);
  return client;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

before(async () => {
  server = await startTempServer();
  alice = await open('alice', 'alice-pw');
  home = join(server.dataDir, 'storage', 'alice');
  await mkdir(join(server.dataDir, 'storage', 'bob'), { recursive: true });
  await writeFile(join(server.dataDir, 'storage', 'bob', 'bob-secret.txt'), 'bob only');
  await writeFile(join(server.dataDir, 'secret-outside.txt'), 'server only');
  await writeFile(join(server.dataDir, 'public', 'pub.txt'), 'public');
  await mkdir(join(home, 'sub'));
  await writeFile(join(home, 'sub', 'inner.txt'), 'inner');
  await writeFile(join(home, 'mine.txt'), 'mine');
  await symlink(server.dataDir, join(home, 'link-out'));
  await symlink(join(server.dataDir, 'storage', 'bob'), join(home, 'link-bob'));
  await symlink(join(server.dataDir, 'secret-outside.txt'), join(home, 'link-file-out'));
  await symlink(join(home, 'sub'), join(home, 'link-in'));
  await symlink(join(home, 'gone'), join(home, 'dangling'));
});

after(async () => {
  for (const client of clients) client.close();
  await server.stop();
});

describe('a user never leaves its home', () => {
  it('CWD ../../.. stays at / (protocol.md: `..` at the root stays at the root)', async () => {
    await alice.expect('CWD ../../..', 250);
    assert.match((await alice.expect('PWD', 257)).text, /^"\/" /);
    await alice.expect('CWD sub', 250);
    await alice.expect('CWD ../../../../..', 250);
    assert.match((await alice.expect('PWD', 257)).text, /^"\/" /);
    await alice.expect('CDUP', 250);
    assert.match((await alice.expect('PWD', 257)).text, /^"\/" /);
  });

  const refused = [
    'RETR ../../etc/passwd',
    'RETR /../../etc/passwd',
    'RETR ../../../../../../../../etc/passwd',
    'RETR ..\\..\\..\\etc\\passwd',
    'RETR %2e%2e/%2e%2e/secret-outside.txt',
    'RETR ../../secret-outside.txt',
    'RETR ../../accounts.json',
    'RETR ../bob/bob-secret.txt',
    'RETR link-out/accounts.json',
    'RETR link-out/secret-outside.txt',
    'RETR link-file-out',
    'RETR link-bob/bob-secret.txt',
    'RETR dangling',
    'SIZE ../../accounts.json',
    'SIZE link-file-out',
    'MDTM link-out/accounts.json',
    'HASH link-bob/bob-secret.txt',
    'CWD link-out',
    'CWD link-bob',
    'CWD ../../etc',
    'CWD /etc',
    'MLST link-out',
    'MLST ../../accounts.json',
    'STAT link-out',
    'DELE link-out/secret-outside.txt',
    'DELE link-bob/bob-secret.txt',
    'RNFR link-bob/bob-secret.txt',
    'RNFR ../bob/bob-secret.txt',
    'MKD link-out/evil-dir',
    'MKD dangling',
    'RMD link-out/storage',
    'SITE CPFR link-out/accounts.json',
    'SITE CPFR ../../accounts.json',
  ];
  it(`${refused.length} reads and writes through .., links and encodings answer 550 like a missing file`, async () => {
    const missing = await alice.command('RETR no-such-file.txt');
    assert.equal(missing.code, 550);
    for (const line of refused) {
      const reply = await alice.command(line);
      assert.equal(reply.code, 550, `${line} -> ${reply.code} ${reply.text}`);
      if (line.startsWith('RETR')) assert.equal(reply.text, missing.text, `${line}: outside must look like missing`);
    }
    assert.equal(await exists(join(server.dataDir, 'evil-dir')), false);
    assert.equal((await stat(join(server.dataDir, 'secret-outside.txt'))).size, 'server only'.length);
    assert.equal(await exists(join(server.dataDir, 'storage', 'bob', 'bob-secret.txt')), true);
  });

  it('STOR through a link that leads out is refused and writes nothing outside', async () => {
    const before = await readdir(server.dataDir);
    assert.equal((await alice.command('STOR link-out/evil.txt')).code, 550);
    assert.equal((await alice.command('APPE link-out/secret-outside.txt')).code, 550);
    assert.equal((await alice.command('STOR link-bob/planted.txt')).code, 550);
    assert.deepEqual(await readdir(server.dataDir), before);
    assert.equal(await exists(join(server.dataDir, 'storage', 'bob', 'planted.txt')), false);
  });

  it('MKD ../x creates x inside the home, nowhere else', async () => {
    const reply = await alice.expect('MKD ../x', 257);
    assert.match(reply.text, /^"\/x" /);
    assert.ok((await stat(join(home, 'x'))).isDirectory());
    assert.equal(await exists(join(server.dataDir, 'storage', 'x')), false);
    assert.equal(await exists(join(server.dataDir, 'x')), false);

    await alice.expect('MKD ../../../deep-x', 257);
    assert.ok((await stat(join(home, 'deep-x'))).isDirectory());
    await alice.expect('MKD ..\\..\\bs', 257);
    assert.ok((await stat(join(home, '..\\..\\bs'))).isDirectory(), 'a backslash name is literal');
  });

  it('RNTO ../y moves the file inside the home', async () => {
    await alice.stor('to-move.txt', Buffer.from('move me'));
    await alice.expect('RNFR to-move.txt', 350);
    await alice.expect('RNTO ../y', 250);
    assert.equal((await stat(join(home, 'y'))).size, 7);
    assert.equal(await exists(join(server.dataDir, 'storage', 'y')), false);
    assert.equal(await exists(join(server.dataDir, 'y')), false);

    await alice.expect('RNFR y', 350);
    assert.equal((await alice.command('RNTO link-out/stolen')).code, 550);
    await alice.expect('RNFR y', 350);
    assert.equal((await alice.command('RNTO link-bob/stolen')).code, 550);
    assert.equal(await exists(join(server.dataDir, 'stolen')), false);
    assert.equal(await exists(join(server.dataDir, 'storage', 'bob', 'stolen')), false);
    assert.equal((await stat(join(home, 'y'))).size, 7, 'the file stayed');
  });

  it('SITE CPTO through a link that leads out is refused', async () => {
    await alice.expect('SITE CPFR mine.txt', 350);
    assert.equal((await alice.command('SITE CPTO link-out/copied.txt')).code, 550);
    assert.equal(await exists(join(server.dataDir, 'copied.txt')), false);
  });

  it('a link that stays inside works', async () => {
    assert.equal((await alice.retr('link-in/inner.txt')).toString(), 'inner');
    await alice.expect('CWD link-in', 250);
    await alice.expect('CWD /', 250);
  });

  it('listings show neither links that lead out nor dangling ones', async () => {
    const names = (await alice.listing('NLST')).split('\r\n').filter(Boolean).sort();
    assert.ok(names.includes('mine.txt') && names.includes('link-in') && names.includes('sub'), names.join(','));
    for (const hidden of ['link-out', 'link-bob', 'link-file-out', 'dangling']) assert.ok(!names.includes(hidden), `${hidden} listed`);
    const long = await alice.listing('LIST -la ../../..');
    assert.match(long, / mine\.txt\r\n/);
    assert.ok(!/link-out|accounts\.json|secret-outside/.test(long), long);
    const facts = await alice.listing('MLSD ../..');
    assert.match(facts, /; mine\.txt\r\n/);
    assert.ok(!/link-out|accounts\.json/.test(facts), facts);
  });
});

describe('the admin and anonymous roots', () => {
  it("the admin sees every home, never the server's own files", async () => {
    const admin = await open('admin', 'admin-pw');
    for (const line of ['RETR ../accounts.json', 'RETR /../accounts.json', 'RETR ../secret-outside.txt', 'CWD ../logs', 'SIZE ../../accounts.json']) {
      assert.equal((await admin.command(line)).code, 550, line);
    }
    const names = (await admin.listing('NLST ..')).split('\r\n').filter(Boolean);
    assert.ok(names.includes('alice') && names.includes('bob'), names.join(','));
    for (const own of ['accounts.json', 'logs', 'tmp', 'public', 'storage']) assert.ok(!names.includes(own), `${own} visible to admin`);
    assert.equal((await admin.retr('/bob/bob-secret.txt')).toString(), 'bob only');
  });

  it('anonymous sees only public/', async () => {
    const anonymous = await open('anonymous', 'a@b.c');
    for (const line of ['RETR ../storage/alice/mine.txt', 'RETR ../accounts.json', 'CWD ../storage', 'RETR /../secret-outside.txt']) {
      assert.equal((await anonymous.command(line)).code, 550, line);
    }
    assert.equal((await anonymous.retr('../../pub.txt')).toString(), 'public');
  });
});

describe('no reply ever names a server path', () => {
  it('no reply of any session above carries the data folder, /etc, /tmp or /root', async () => {
    const forbidden = [server.dataDir, await realpath(server.dataDir), '/etc', '/tmp', '/root', 'root:x:0:0'];
    let count = 0;
    for (const client of clients) {
      for (const reply of client.replies) {
        count++;
        for (const text of forbidden) assert.ok(!reply.lines.join('\n').includes(text), `reply "${reply.lines.join(' | ')}" contains ${text}`);
      }
    }
    assert.ok(count > 80, `only ${count} replies checked`);
  });
});
