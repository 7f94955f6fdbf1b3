/**
 * The SITE extensions of protocol.md ("SITE extensions", "Accounts and rights")
 * and the account view of lab C, over raw control connections: every row of the
 * SITE table, the admin rights, STAT, and the auth / files logs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startTempServer, type TempServer } from '../temp-server.ts';
import { RawFtp } from '../../test/raw-ftp-client.ts';
import { requireTool } from '../../test/require-tool.ts';
import { SYSTEM_PYTHON, bytesOnDisk, parseQuota, patternBytes, waitFor } from '../../test/extension-kit.ts';

const SITE_SUBCOMMANDS = ['HELP', 'REGISTER', 'QUOTA', 'CPFR', 'CPTO', 'USERS', 'ADDUSER', 'DELUSER', 'SETQUOTA'];

async function anonymous(port: number): Promise<RawFtp> {
  return RawFtp.login(port, 'anonymous', 'guest@example.org');
}

describe('SITE HELP (protocol.md: anyone, 214 multi-line, one subcommand per line)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer();
  });
  after(() => server.stop());

  test('before login it lists every SITE subcommand once, one per line', async () => {
    const { client } = await RawFtp.connect(server.port);
    const reply = await client.send('SITE HELP');
    assert.equal(reply.code, 214);
    assert.ok(reply.lines.length >= SITE_SUBCOMMANDS.length + 2, reply.lines.join('\n'));
    assert.match(reply.lines[0] as string, /^214-/);
    for (const sub of SITE_SUBCOMMANDS) {
      const matching = reply.lines.filter((line) => new RegExp(`^(214[- ])?\\s*${sub}\\b`).test(line));
      assert.equal(matching.length, 1, `SITE HELP should list ${sub} once:\n${reply.lines.join('\n')}`);
    }
    await client.quit();
  });
});

describe('SITE REGISTER with registration off (protocol.md: 502 registration is off)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer();
  });
  after(() => server.stop());

  test('answers 502 before and after login and creates nothing', async () => {
    const { client } = await RawFtp.connect(server.port);
    assert.equal((await client.send('SITE REGISTER newbie secret-pw')).code, 502);
    await client.quit();
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    assert.equal((await alice.send('SITE REGISTER newbie secret-pw')).code, 502);
    await alice.quit();
    assert.equal(server.server.context.accounts.get('newbie'), undefined);
    assert.equal(existsSync(join(server.dataDir, 'storage', 'newbie')), false);
    const { client: again } = await RawFtp.connect(server.port);
    await again.expect('USER newbie', 331);
    assert.equal((await again.send('PASS secret-pw')).code, 530);
    await again.quit();
  });
});

describe('SITE REGISTER with registration on (lab A: registration makes a home named after the login and confines the user to it)', () => {
  let server: TempServer;
  let storage: string;
  before(async () => {
    server = await startTempServer({ settings: { registration: true, defaultQuota: 50_000 } });
    storage = join(server.dataDir, 'storage');
  });
  after(() => server.stop());

  test('before login: 200, the home exists, the user logs in confined to it with the default quota', async () => {
    const { client } = await RawFtp.connect(server.port);
    const reply = await client.send('SITE REGISTER newbie n3wbie-pw');
    assert.equal(reply.code, 200, reply.text);
    await client.quit();
    assert.ok(existsSync(join(storage, 'newbie')), 'home /newbie exists under the storage root');

    const user = await RawFtp.login(server.port, 'newbie', 'n3wbie-pw');
    assert.match((await user.send('PWD')).text, /^"\/"/);
    await user.put('mine.txt', Buffer.from('registered content'));
    assert.equal(readFileSync(join(storage, 'newbie', 'mine.txt'), 'utf8'), 'registered content');
    // `..` at the root stays at the root; nothing outside the home can be reached.
    await user.expect('CWD ..', 250);
    assert.match((await user.send('PWD')).text, /^"\/"/);
    await user.expect('CWD /../../..', 250);
    assert.match((await user.send('PWD')).text, /^"\/"/);
    const listing = (await user.download('NLST')).body.toString();
    assert.deepEqual(listing.split('\r\n').filter(Boolean), ['mine.txt']);
    assert.equal((await user.send('SIZE ../alice/x')).code, 550);
    assert.equal((await user.send('CWD ../alice')).code, 550);
    assert.deepEqual(parseQuota((await user.send('SITE QUOTA')).text), { used: 18, limit: 50_000 });
    await user.quit();
  });

  test('after login: a logged-in user may register another account', async () => {
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    assert.equal((await alice.send('SITE REGISTER second s3cond-pw')).code, 200);
    await alice.quit();
    const second = await RawFtp.login(server.port, 'second', 's3cond-pw');
    assert.match((await second.send('PWD')).text, /^"\/"/);
    await second.quit();
    assert.ok(existsSync(join(storage, 'second')));
  });

  test('refuses invalid, taken and reserved names (550) and creates nothing for them', async () => {
    const { client } = await RawFtp.connect(server.port);
    const before = readdirSync(storage).sort();
    const refused: Array<[string, string]> = [
      ['..', 'dot-dot'],
      ['.', 'dot'],
      ['a/b', 'slash'],
      ['/etc', 'leading slash'],
      ['a\\b', 'backslash'],
      ['x'.repeat(33), 'over-long (33 characters)'],
      ['Bob', 'upper case'],
      ['-dash', 'leading dash'],
      ['alice', 'taken'],
      ['admin', 'reserved (and taken)'],
      ['root', 'reserved'],
      ['administrator', 'reserved'],
      ['anonymous', 'anonymous login name'],
      ['ftp', 'anonymous login name'],
    ];
    for (const [name, why] of refused) {
      const reply = await client.send(`SITE REGISTER ${name} some-pw`);
      assert.equal(reply.code, 550, `SITE REGISTER ${name} (${why}) should be 550, got ${reply.code} ${reply.text}`);
    }
    const withNul = await client.send('SITE REGISTER evil\0name some-pw');
    assert.ok(withNul.code === 501 || withNul.code === 550, `NUL in the name must be refused, got ${withNul.code} ${withNul.text}`);
    assert.equal(readFileSync(join(server.dataDir, 'accounts.json'), 'utf8').includes('evil'), false);
    assert.deepEqual(readdirSync(storage).sort(), before, 'no folder was made for a refused name');
    assert.equal(existsSync(join(server.dataDir, 'etc')), false);
    const accounts = server.server.context.accounts.list().map((account) => account.name);
    for (const [name] of refused) if (!['alice', 'admin'].includes(name)) assert.ok(!accounts.includes(name), `${name} must not exist`);
    // The longest allowed name (32 characters) is fine.
    assert.equal((await client.send(`SITE REGISTER ${'y'.repeat(32)} some-pw`)).code, 200);
    await client.quit();
  });

  test('the kept home of a deleted account cannot be taken over by registering its name', async () => {
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    const bob = await RawFtp.login(server.port, 'bob', 'bob-pw');
    await bob.put('private.txt', Buffer.from('bob only'));
    await bob.quit();
    await admin.expect('SITE DELUSER bob', 200);
    await admin.quit();
    const { client } = await RawFtp.connect(server.port);
    assert.equal((await client.send('SITE REGISTER bob thief-pw')).code, 550);
    await client.quit();
    assert.equal(server.server.context.accounts.get('bob'), undefined);
    assert.equal(readFileSync(join(storage, 'bob', 'private.txt'), 'utf8'), 'bob only');
  });
});

describe('SITE QUOTA and AVBL (protocol.md; lab C: a user sees quota used and left)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({
      accounts: [
        { name: 'alice', password: 'alice-pw' },
        { name: 'limited', password: 'limited-pw', quotaLimit: 10_000 },
        { name: 'admin', password: 'admin-pw', role: 'admin' },
      ],
    });
  });
  after(() => server.stop());

  test('before login both answer 530', async () => {
    const { client } = await RawFtp.connect(server.port);
    assert.equal((await client.send('SITE QUOTA')).code, 530);
    assert.equal((await client.send('AVBL')).code, 530);
    await client.quit();
  });

  test('a limited user: used and limit, AVBL is what is left, in any folder of the home', async () => {
    const user = await RawFtp.login(server.port, 'limited', 'limited-pw');
    assert.deepEqual(parseQuota((await user.send('SITE QUOTA')).text), { used: 0, limit: 10_000 });
    await user.put('a.bin', patternBytes(3000));
    await user.expect('MKD sub', 257);
    await user.put('sub/b.bin', patternBytes(500));
    const quota = await user.send('SITE QUOTA');
    assert.equal(quota.code, 200);
    assert.deepEqual(parseQuota(quota.text), { used: 3500, limit: 10_000 });
    assert.equal(bytesOnDisk(join(server.dataDir, 'storage', 'limited')), 3500);
    assert.deepEqual([(await user.send('AVBL')).code, (await user.send('AVBL')).text], [213, '6500']);
    assert.equal((await user.send('AVBL sub')).text, '6500');
    await user.expect('CWD sub', 250);
    assert.equal((await user.send('AVBL')).text, '6500');
    assert.equal((await user.send('AVBL /no/such/dir')).code, 550);
    await user.expect('DELE b.bin', 250);
    assert.deepEqual(parseQuota((await user.send('SITE QUOTA')).text), { used: 3000, limit: 10_000 });
    assert.equal((await user.send('AVBL')).text, '7000');
    await user.quit();
  });

  test("the admin sees a user's room with AVBL /<user>, and the admin's uploads there count against that quota", async () => {
    const user = await RawFtp.login(server.port, 'limited', 'limited-pw');
    const { used } = parseQuota((await user.send('SITE QUOTA')).text);
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    assert.equal((await admin.send('AVBL /limited')).text, String(10_000 - used));
    const { final } = await admin.upload('STOR /limited/from-admin.bin', patternBytes(10_001 - used));
    assert.equal(final?.code, 552);
    await admin.put('/limited/from-admin.bin', patternBytes(10_000 - used));
    assert.deepEqual(parseQuota((await user.send('SITE QUOTA')).text), { used: 10_000, limit: 10_000 });
    await admin.expect('DELE /limited/from-admin.bin', 250);
    await Promise.all([user.quit(), admin.quit()]);
  });

  test('an unlimited user: limit=0 and AVBL is the free disk space', async () => {
    const user = await RawFtp.login(server.port, 'alice', 'alice-pw');
    assert.deepEqual(parseQuota((await user.send('SITE QUOTA')).text), { used: 0, limit: 0 });
    const avbl = await user.send('AVBL');
    assert.equal(avbl.code, 213);
    assert.ok(Number(avbl.text) > 0, avbl.text);
    await user.quit();
  });

  test('anonymous may store nothing: AVBL is 550', async () => {
    const anon = await anonymous(server.port);
    assert.equal((await anon.send('AVBL')).code, 550);
    await anon.quit();
  });
});

describe('SITE CPFR / SITE CPTO (proftpd mod_copy convention)', () => {
  let server: TempServer;
  let storage: string;
  before(async () => {
    server = await startTempServer();
    storage = join(server.dataDir, 'storage');
  });
  after(() => server.stop());

  test('before login both answer 530', async () => {
    const { client } = await RawFtp.connect(server.port);
    assert.equal((await client.send('SITE CPFR a.txt')).code, 530);
    assert.equal((await client.send('SITE CPTO b.txt')).code, 530);
    await client.quit();
  });

  test('CPTO without CPFR is 503, also when another command came between', async () => {
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    assert.equal((await alice.send('SITE CPTO nowhere.txt')).code, 503);
    await alice.put('src.txt', Buffer.from('source'));
    await alice.expect('SITE CPFR src.txt', 350);
    await alice.expect('NOOP', 200);
    assert.equal((await alice.send('SITE CPTO dst.txt')).code, 503);
    assert.equal(existsSync(join(storage, 'alice', 'dst.txt')), false);
    await alice.quit();
  });

  test('CPFR of a missing file, a folder or a path outside the root is 550', async () => {
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    assert.equal((await alice.send('SITE CPFR missing.txt')).code, 550);
    await alice.expect('MKD folder', 257);
    assert.equal((await alice.send('SITE CPFR folder')).code, 550);
    assert.equal((await alice.send('SITE CPFR ../bob/secret.txt')).code, 550);
    assert.equal((await alice.send('SITE CPFR ../../accounts.json')).code, 550);
    assert.equal((await alice.send('SITE CPTO out.txt')).code, 503);
    await alice.quit();
  });

  test('a copy is byte-exact, leaves the source alone, replaces a target and counts in the quota', async () => {
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    const body = patternBytes(200_000, 7);
    await alice.put('big.bin', body);
    await alice.expect('MKD copies', 257);
    await alice.expect('SITE CPFR big.bin', 350);
    await alice.expect('SITE CPTO copies/big-copy.bin', 250);
    assert.deepEqual(await alice.get('copies/big-copy.bin'), body);
    assert.deepEqual(await alice.get('big.bin'), body);
    await alice.put('small.txt', Buffer.from('small'));
    await alice.expect('SITE CPFR small.txt', 350);
    await alice.expect('SITE CPTO copies/big-copy.bin', 250);
    assert.equal((await alice.get('copies/big-copy.bin')).toString(), 'small');
    const used = parseQuota((await alice.send('SITE QUOTA')).text).used;
    assert.equal(used, bytesOnDisk(join(storage, 'alice')));
    await alice.quit();
  });

  test('a copy target that is a folder is refused and the source stays', async () => {
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    await alice.put('one.txt', Buffer.from('one'));
    await alice.expect('MKD target-dir', 257);
    await alice.expect('SITE CPFR one.txt', 350);
    assert.equal((await alice.send('SITE CPTO target-dir')).code, 550);
    assert.equal((await alice.get('one.txt')).toString(), 'one');
    await alice.quit();
  });

  test('a CPTO the jail refuses (a link out of the home) is 550 and leaves the source file closed', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'cpto-outside-'));
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    symlinkSync(outside, join(storage, 'alice', 'leads-out'));
    try {
      await alice.put('kept-open.txt', Buffer.from('source'));
      const source = realpathSync(join(storage, 'alice', 'kept-open.txt'));
      await alice.expect('SITE CPFR kept-open.txt', 350);
      assert.equal((await alice.send('SITE CPTO leads-out/copy.txt')).code, 550);
      assert.deepEqual(readdirSync(outside), []);
      // The server runs in this process: a descriptor of the source still open here is one it leaked.
      const held = readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === source;
        } catch {
          return false;
        }
      });
      assert.deepEqual(held, [], 'the source of a refused copy is still open');
    } finally {
      await alice.quit();
      rmSync(join(storage, 'alice', 'leads-out'));
      rmSync(outside, { recursive: true });
    }
  });

  test('anonymous cannot copy (550)', async () => {
    const anon = await anonymous(server.port);
    assert.equal((await anon.send('SITE CPTO x')).code, 550);
    await anon.quit();
  });
});

describe('admin SITE commands: USERS, ADDUSER, DELUSER, SETQUOTA', () => {
  let server: TempServer;
  let storage: string;
  before(async () => {
    server = await startTempServer({
      accounts: [
        { name: 'alice', password: 'alice-pw' },
        { name: 'bob', password: 'bob-pw' },
        { name: 'admin', password: 'admin-pw', role: 'admin' },
        { name: 'limited', password: 'limited-pw', quotaLimit: 10_000 },
      ],
    });
    storage = join(server.dataDir, 'storage');
  });
  after(() => server.stop());

  test('SITE USERS: one line per account with role, used and limit', async () => {
    const limited = await RawFtp.login(server.port, 'limited', 'limited-pw');
    await limited.put('f.bin', patternBytes(1234));
    await limited.quit();
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    const reply = await admin.send('SITE USERS');
    assert.equal(reply.code, 200);
    const rows = new Map<string, string>();
    for (const line of reply.lines) {
      const match = /^\s*(\S+) (role=\S+ used=\d+ limit=\d+)$/.exec(line.replace(/^200[- ]/, ''));
      if (match) rows.set(match[1] as string, match[2] as string);
    }
    assert.equal(rows.get('limited'), 'role=user used=1234 limit=10000');
    assert.equal(rows.get('admin'), 'role=admin used=0 limit=0');
    assert.match(rows.get('alice') ?? '', /^role=user used=\d+ limit=0$/);
    assert.match(rows.get('bob') ?? '', /^role=user used=\d+ limit=0$/);
    assert.equal(rows.size, 4, reply.lines.join('\n'));
    await admin.quit();
  });

  test('SITE ADDUSER: the account works with its limit; taken, invalid and bad limits are refused', async () => {
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    await admin.expect('SITE ADDUSER carol carol-pw 5000', 200);
    assert.ok(existsSync(join(storage, 'carol')));
    assert.equal((await admin.send('SITE ADDUSER carol other-pw')).code, 550);
    assert.equal((await admin.send('SITE ADDUSER Carol other-pw')).code, 550);
    assert.equal((await admin.send('SITE ADDUSER ../evil other-pw')).code, 550);
    assert.equal((await admin.send('SITE ADDUSER dave dave-pw lots')).code, 501);
    assert.equal((await admin.send('SITE ADDUSER dave')).code, 501);
    assert.equal(server.server.context.accounts.get('dave'), undefined);
    await admin.quit();
    const carol = await RawFtp.login(server.port, 'carol', 'carol-pw');
    assert.deepEqual(parseQuota((await carol.send('SITE QUOTA')).text), { used: 0, limit: 5000 });
    await carol.quit();
  });

  test('SITE SETQUOTA: a lowered quota refuses the very next upload of a logged-in user', async () => {
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    await alice.put('five-k.bin', patternBytes(5000));
    const used = parseQuota((await alice.send('SITE QUOTA')).text).used;
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    await admin.expect(`SITE SETQUOTA alice ${used - 1000}`, 200);
    const { preliminary, final } = await alice.upload('STOR one-more.bin', Buffer.from('x'));
    assert.equal(final?.code ?? preliminary.code, 552);
    assert.equal((await alice.send('SIZE one-more.bin')).code, 550);
    assert.deepEqual(parseQuota((await alice.send('SITE QUOTA')).text), { used, limit: used - 1000 });
    assert.equal((await alice.send('AVBL')).text, '0');
    // Raising it again lets the upload through.
    await admin.expect(`SITE SETQUOTA alice ${used + 10}`, 200);
    await alice.put('one-more.bin', Buffer.from('x'));
    await admin.expect('SITE SETQUOTA alice 0', 200);
    assert.equal((await admin.send('SITE SETQUOTA nobody 100')).code, 550);
    assert.equal((await admin.send('SITE SETQUOTA alice -5')).code, 501);
    assert.equal((await admin.send('SITE SETQUOTA alice')).code, 501);
    await alice.quit();
    await admin.quit();
  });

  test('SITE DELUSER: not oneself; the deleted user cannot log in; the home is kept', async () => {
    const bob = await RawFtp.login(server.port, 'bob', 'bob-pw');
    await bob.put('kept.txt', Buffer.from('bob was here'));
    await bob.quit();
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    assert.equal((await admin.send('SITE DELUSER admin')).code, 550);
    await admin.expect('SITE DELUSER bob', 200);
    assert.equal((await admin.send('SITE DELUSER bob')).code, 550);
    assert.equal((await admin.send('SITE DELUSER ../alice')).code, 550);
    assert.equal((await admin.send('SITE DELUSER nosuchuser')).code, 550);
    assert.equal((await admin.get('/bob/kept.txt')).toString(), 'bob was here');
    await admin.quit();
    assert.equal(readFileSync(join(storage, 'bob', 'kept.txt'), 'utf8'), 'bob was here');
    const { client } = await RawFtp.connect(server.port);
    await client.expect('USER bob', 331);
    assert.equal((await client.send('PASS bob-pw')).code, 530);
    await client.quit();
    const stillAdmin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    await stillAdmin.quit();
  });

  test('rights: every admin command is refused to a user and to anonymous (550) and before login (530), changing nothing', async () => {
    const adminCommands = ['SITE USERS', 'SITE ADDUSER mallory mallory-pw', 'SITE DELUSER alice', 'SITE SETQUOTA limited 0', 'SITE SETQUOTA alice 1'];
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    const anon = await anonymous(server.port);
    const { client: stranger } = await RawFtp.connect(server.port);
    for (const command of adminCommands) {
      assert.equal((await alice.send(command)).code, 550, `${command} as a user`);
      assert.equal((await anon.send(command)).code, 550, `${command} as anonymous`);
      assert.equal((await stranger.send(command)).code, 530, `${command} before login`);
    }
    await Promise.all([alice.quit(), anon.quit(), stranger.quit()]);
    const accounts = server.server.context.accounts;
    assert.equal(accounts.get('mallory'), undefined);
    assert.ok(accounts.get('alice'));
    assert.equal(accounts.get('limited')?.quotaLimit, 10_000);
    assert.equal(accounts.get('alice')?.quotaLimit, 0);
  });
});

describe('STAT shows the account (lab C: home, current directory, quota used and left)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({
      accounts: [
        { name: 'limited', password: 'limited-pw', quotaLimit: 10_000 },
        { name: 'admin', password: 'admin-pw', role: 'admin' },
      ],
    });
  });
  after(() => server.stop());

  test('login, role, current directory, quota used and left', async () => {
    const user = await RawFtp.login(server.port, 'limited', 'limited-pw');
    await user.expect('MKD work', 257);
    await user.put('work/data.bin', patternBytes(2500));
    await user.expect('CWD work', 250);
    const stat = await user.send('STAT');
    assert.equal(stat.code, 211);
    const text = stat.lines.join('\n');
    assert.match(text, /limited/);
    assert.match(text, /role user/);
    assert.match(text, /Current directory: \/work\b/);
    assert.match(text, /used=2500 limit=10000 left=7500/);
    await user.quit();
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    assert.match((await admin.send('STAT')).lines.join('\n'), /admin.*role admin/);
    await admin.quit();
  });
});

describe('logs (lab A: every action is logged; separate auth and file logs)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({
      fileLogs: true,
      settings: { registration: true },
      accounts: [
        { name: 'admin', password: 'admin-pw', role: 'admin' },
        { name: 'limited', password: 'limited-pw', quotaLimit: 1000 },
      ],
    });
  });
  after(() => server.stop());

  test('auth.log has registration and admin actions; files.log has copies and quota refusals; no password anywhere', async () => {
    const { client } = await RawFtp.connect(server.port);
    await client.expect('SITE REGISTER logme Secret-Reg-Pw', 200);
    await client.quit();
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    await admin.expect('SITE ADDUSER added Secret-Add-Pw 777', 200);
    await admin.expect('SITE SETQUOTA added 888', 200);
    await admin.expect('SITE DELUSER added', 200);
    await admin.quit();
    const user = await RawFtp.login(server.port, 'limited', 'limited-pw');
    await user.put('part.bin', patternBytes(600));
    await user.expect('SITE CPFR part.bin', 350);
    assert.equal((await user.send('SITE CPTO copy.bin')).code, 552);
    await user.expect('DELE part.bin', 250);
    await user.put('small.bin', patternBytes(100));
    await user.expect('SITE CPFR small.bin', 350);
    await user.expect('SITE CPTO small-copy.bin', 250);
    const { final } = await user.upload('STOR too-big.bin', patternBytes(5000));
    assert.equal(final?.code, 552);
    await user.quit();

    const logs = join(server.dataDir, 'logs');
    const records = (file: string) =>
      existsSync(join(logs, file))
        ? readFileSync(join(logs, file), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [];
    const auth = await waitFor(() => {
      const all = records('auth.log');
      return all.some((r) => r.msg === 'account deleted') && all;
    }, 5000, 'auth.log to be written');
    assert.ok(auth.some((r) => r.msg === 'registered' && r.user === 'logme'), 'registration logged');
    assert.ok(auth.some((r) => r.msg === 'account added' && r.user === 'added' && r.admin === 'admin' && r.quotaLimit === 777));
    assert.ok(auth.some((r) => r.msg === 'quota set' && r.user === 'added' && r.limit === 888));
    assert.ok(auth.some((r) => r.msg === 'account deleted' && r.user === 'added' && r.admin === 'admin'));
    const files = await waitFor(() => {
      const all = records('files.log');
      return all.some((r) => r.msg === 'upload refused: quota exceeded') && all;
    }, 5000, 'files.log to be written');
    assert.ok(files.some((r) => r.msg === 'copy' && r.from === '/small.bin' && r.to === '/small-copy.bin' && r.bytes === 100), 'copy logged');
    assert.ok(files.some((r) => r.msg === 'copy refused: quota exceeded' && r.user === 'limited'), 'copy refusal logged');
    assert.ok(files.some((r) => r.msg === 'upload refused: quota exceeded' && r.path === '/too-big.bin'), 'upload refusal logged');
    for (const file of readdirSync(logs)) {
      const text = readFileSync(join(logs, file), 'utf8');
      for (const secret of ['Secret-Reg-Pw', 'Secret-Add-Pw', 'admin-pw', 'limited-pw']) assert.equal(text.includes(secret), false, `${file} leaks ${secret}`);
    }
  });
});

const FTPLIB_SITE_SCRIPT = String.raw`
import ftplib, io, json, sys
port = int(sys.argv[1])
out = {}

def attempt(ftp, command):
    try:
        return ftp.sendcmd(command)
    except ftplib.all_errors as error:
        return str(error)

def connect():
    ftp = ftplib.FTP()
    ftp.connect('127.0.0.1', port, timeout=10)
    return ftp

guest = connect()
out['help'] = guest.sendcmd('SITE HELP')
out['register'] = attempt(guest, 'SITE REGISTER pyuser py-pass-1')
out['register_taken'] = attempt(guest, 'SITE REGISTER pyuser other-pass')
out['quota_before_login'] = attempt(guest, 'SITE QUOTA')
out['cpfr_before_login'] = attempt(guest, 'SITE CPFR a.bin')
guest.quit()

user = connect()
user.login('pyuser', 'py-pass-1')
out['pwd'] = user.pwd()
user.storbinary('STOR a.bin', io.BytesIO(b'x' * 4000))
out['quota'] = user.sendcmd('SITE QUOTA')
out['avbl'] = user.sendcmd('AVBL')
out['cpto_alone'] = attempt(user, 'SITE CPTO b.bin')
out['cpfr'] = user.sendcmd('SITE CPFR a.bin')
out['cpto'] = user.sendcmd('SITE CPTO b.bin')
out['copy_size'] = user.size('b.bin')
out['cpfr_again'] = user.sendcmd('SITE CPFR a.bin')
out['cpto_over'] = attempt(user, 'SITE CPTO c.bin')
out['quota_after_copies'] = user.sendcmd('SITE QUOTA')
out['users_as_user'] = attempt(user, 'SITE USERS')
out['adduser_as_user'] = attempt(user, 'SITE ADDUSER sneaky pw')
user.quit()

admin = connect()
admin.login('admin', 'admin-pw')
out['adduser'] = admin.sendcmd('SITE ADDUSER pyadded py-pass-2 3000')
out['users'] = admin.sendcmd('SITE USERS')
out['setquota'] = admin.sendcmd('SITE SETQUOTA pyuser 8000')
out['deluser'] = admin.sendcmd('SITE DELUSER pyadded')
out['deluser_self'] = attempt(admin, 'SITE DELUSER admin')
admin.quit()

user = connect()
user.login('pyuser', 'py-pass-1')
try:
    user.storbinary('STOR one-more.bin', io.BytesIO(b'y'))
    out['upload_after_setquota'] = 'stored'
except ftplib.all_errors as error:
    out['upload_after_setquota'] = str(error)
out['quota_after_setquota'] = user.sendcmd('SITE QUOTA')
out['names'] = sorted(user.nlst())
user.quit()

deleted = connect()
try:
    deleted.login('pyadded', 'py-pass-2')
    out['deleted_login'] = 'logged in'
except ftplib.all_errors as error:
    out['deleted_login'] = str(error)
deleted.close()
print(json.dumps(out))
`;

describe('SITE commands with Python ftplib (/usr/bin/python3)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({
      settings: { registration: true, defaultQuota: 10_000 },
      accounts: [{ name: 'admin', password: 'admin-pw', role: 'admin' }],
    });
  });
  after(() => server.stop());

  test('REGISTER, QUOTA, AVBL, CPFR/CPTO, USERS, ADDUSER, SETQUOTA, DELUSER as a real client sees them', async (t) => {
    if (!requireTool(t, SYSTEM_PYTHON)) return;
    const { stdout } = await execa(SYSTEM_PYTHON, ['-c', FTPLIB_SITE_SCRIPT, String(server.port)], { timeout: 30_000 });
    const out = JSON.parse(stdout) as Record<string, string | number | string[]>;
    for (const sub of SITE_SUBCOMMANDS) assert.match(String(out.help), new RegExp(`\\n\\s*${sub}\\b`), `SITE HELP lists ${sub}`);
    assert.match(String(out.register), /^200 /);
    assert.match(String(out.register_taken), /^550 /);
    assert.match(String(out.quota_before_login), /^530 /);
    assert.match(String(out.cpfr_before_login), /^530 /);
    assert.equal(out.pwd, '/');
    assert.match(String(out.quota), /^200 used=4000 limit=10000$/);
    assert.equal(out.avbl, '213 6000');
    assert.match(String(out.cpto_alone), /^503 /);
    assert.match(String(out.cpfr), /^350 /);
    assert.match(String(out.cpto), /^250 /);
    assert.equal(out.copy_size, 4000);
    assert.match(String(out.cpfr_again), /^350 /);
    assert.match(String(out.cpto_over), /^552 /);
    assert.match(String(out.quota_after_copies), /^200 used=8000 limit=10000$/);
    assert.match(String(out.users_as_user), /^550 /);
    assert.match(String(out.adduser_as_user), /^550 /);
    assert.match(String(out.adduser), /^200 /);
    assert.match(String(out.users), /\n\s*pyadded role=user used=0 limit=3000\r?\n/);
    assert.match(String(out.users), /\n\s*pyuser role=user used=8000 limit=10000\r?\n/);
    assert.match(String(out.users), /\n\s*admin role=admin used=0 limit=0\r?\n/);
    assert.match(String(out.setquota), /^200 /);
    assert.match(String(out.deluser), /^200 /);
    assert.match(String(out.deluser_self), /^550 /);
    assert.match(String(out.upload_after_setquota), /^552 /);
    assert.match(String(out.quota_after_setquota), /^200 used=8000 limit=8000$/);
    assert.deepEqual(out.names, ['a.bin', 'b.bin']);
    assert.match(String(out.deleted_login), /^530 /);
    assert.equal(bytesOnDisk(join(server.dataDir, 'storage', 'pyuser')), 8000);
    assert.ok(existsSync(join(server.dataDir, 'storage', 'pyadded')), 'the deleted account keeps its home');
  });
});
