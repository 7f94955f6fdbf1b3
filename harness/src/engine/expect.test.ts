import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReply, checkData, captureFrom, describeExpectation } from './expect.ts';
import { interpolate, interpolateNumber, InterpolationError } from './interpolate.ts';
import { findServerPath } from './leaks.ts';
import { parseReplies } from '../wire/reply-parser.ts';

function reply(text: string) {
  const parsed = parseReplies(text).replies[0];
  assert.ok(parsed, `fixture did not parse: ${text}`);
  return { kind: 'reply' as const, reply: parsed };
}

test('checkReply: codes, classes, text and notText', () => {
  assert.equal(checkReply(reply('250 OK\r\n'), { code: 250 }, 's'), null);
  assert.equal(checkReply(reply('550 No\r\n'), { codes: [550, 553] }, 's'), null);
  assert.equal(checkReply(reply('452 Full\r\n'), { class: [4, 5] }, 's'), null);
  assert.deepEqual(checkReply(reply('250 OK\r\n'), { code: 550 }, 's')?.expected, ['reply 550']);
  assert.ok(checkReply(reply('257 "/etc" is cwd\r\n'), { code: 257, notText: '/etc' }, 's'));
  assert.ok(checkReply(reply('257 "/" is cwd\r\n'), { code: 257, text: '^"/x"' }, 's'));
  assert.ok(checkReply(reply('200 OK\r\n'), { notCodes: [200] }, 's'));
  assert.equal(checkReply(reply('211-a\r\n b\r\n211 End\r\n'), { minLines: 3 }, 's'), null);
  assert.ok(checkReply(reply('211 End\r\n'), { minLines: 2 }, 's'));
});

test('checkReply: closed connections and timeouts', () => {
  const closed = { kind: 'closed' as const, reason: 'reset' };
  assert.equal(checkReply(closed, { closed: true }, 's'), null);
  assert.equal(checkReply(closed, { code: 550, orClosed: true }, 's'), null);
  assert.match(checkReply(closed, { code: 550 }, 's')?.actual ?? '', /closed/);
  assert.match(checkReply({ kind: 'timeout', afterMs: 50 }, { closed: true }, 's')?.actual ?? '', /no reply within 50 ms/);
  assert.equal(checkReply(reply('421 Bye\r\n'), { code: 421, closed: true }, 's', true), null);
  assert.match(checkReply(reply('421 Bye\r\n'), { code: 421, closed: true }, 's', false)?.actual ?? '', /stayed open/);
  assert.deepEqual(describeExpectation({ code: 421, closed: true }), ['reply 421', 'then the connection closed']);
});

test('captureFrom takes the first group of each pattern', () => {
  const { values, missing } = captureFrom(reply('200 used=123 limit=456\r\n').reply, { used: 'used=(\\d+)', limit: 'limit=(\\d+)', nope: 'x=(\\d+)' });
  assert.equal(values.get('used'), '123');
  assert.equal(values.get('limit'), '456');
  assert.deepEqual(missing, ['nope (/x=(\\d+)/)']);
});

test('checkData: contains, length, remembered content', () => {
  const data = Buffer.from('a.txt\r\nb.txt\r\n');
  assert.equal(checkData(data, { contains: ['a.txt'], notContains: ['c.txt'] }, 's', () => undefined), null);
  assert.ok(checkData(data, { contains: ['c.txt'] }, 's', () => undefined));
  assert.ok(checkData(data, {}, 's', () => undefined, 3));
  assert.match(checkData(Buffer.from('abXd'), { equalsContentOf: 'x' }, 's', () => Buffer.from('abcd'))?.actual ?? '', /first difference at byte 2/);
  assert.equal(checkData(Buffer.from('abcd'), { equalsContentOf: 'x' }, 's', () => Buffer.from('abcd')), null);
});

test('interpolate replaces known names and names the unknown ones', () => {
  const vars = new Map([['user.name', 'alice'], ['n', '5']]);
  assert.equal(interpolate('CWD /${user.name}/x', vars), 'CWD /alice/x');
  assert.throws(() => interpolate('${usr}', vars), (error: unknown) => error instanceof InterpolationError && /unknown variable \$\{usr\}/.test(error.message));
  assert.equal(interpolateNumber('${n}+1', vars), 6);
  assert.equal(interpolateNumber('${n}-1', vars), 4);
  assert.throws(() => interpolateNumber('abc', vars), InterpolationError);
});

test('interpolate: ${name|fallback} is the variable when known, else the fallback', () => {
  const vars = new Map([['limits.dataTimeoutSeconds', '3']]);
  assert.equal(interpolateNumber('${limits.dataTimeoutSeconds|6}*2500000+5000000', vars), 12_500_000);
  assert.equal(interpolateNumber('${limits.idleTimeoutSeconds|6}*2500000+5000000', vars), 20_000_000);
  assert.equal(interpolate('${missing|}x', vars), 'x');
  assert.throws(() => interpolate('${missing}', vars), InterpolationError);
});

test('findServerPath finds host, Windows and known paths, and not virtual ones', () => {
  assert.equal(findServerPath('257 "/" is the current directory'), null);
  assert.equal(findServerPath('257 "/docs/a" created'), null);
  assert.match(findServerPath('550 /home/alice/x: No such file') ?? '', /\/home\/alice/);
  assert.match(findServerPath('550 C:\\ftp\\root\\x not found') ?? '', /C:\\ftp/);
  assert.match(findServerPath('550 \\\\server\\share\\x') ?? '', /\\\\server/);
  assert.equal(findServerPath('550 /x/tmp-data/y', ['/x/tmp-data']), '/x/tmp-data');
  // An echo of the client's own path is not a leak; a real prefix added to it is.
  assert.equal(findServerPath('550 /etc/passwd is not retrievable', [], 'MDTM ../../../../etc/passwd'), null);
  assert.match(findServerPath('550 /home/alice/etc/passwd: No such file', [], 'RETR ../../etc/passwd') ?? '', /\/home\/alice/);
  assert.equal(findServerPath('550 /x/tmp-data/etc/passwd', ['/x/tmp-data'], 'RETR /x/tmp-data/etc/passwd'), '/x/tmp-data');
});

test('findServerPath: the client\'s own argument echoed in any quoting is not a leak', () => {
  // Doubled backslashes (a server printing a repr), doubled quotes (RFC 959 257 style), a list representation.
  assert.equal(findServerPath("550 'C:\\\\Windows\\\\win.ini': no such file", [], 'RETR C:\\Windows\\win.ini'), null);
  assert.equal(findServerPath("550 ['/etc/passwd']: not found", [], 'RETR /etc/passwd'), null);
  assert.equal(findServerPath('550 "/etc/""odd""/x": not found', [], 'RETR /etc/"odd"/x'), null);
  // A host path the client never sent still is one.
  assert.match(findServerPath("550 ['/home/ftp/alice/etc/passwd']", [], 'RETR /etc/passwd') ?? '', /\/home\/ftp/);
});

test('interpolateNumber: sums and products of whole numbers (a 227 port, a timeout in ms)', () => {
  const vars = new Map([['p1', '117'], ['p2', '48'], ['t', '8']]);
  assert.equal(interpolateNumber('${p1}*256+${p2}', vars), 30000);
  assert.equal(interpolateNumber('${t}*1000+2000', vars), 10000);
  assert.equal(interpolateNumber('${t}-2*3', vars), 2);
  assert.throws(() => interpolateNumber('${t}/2', vars), InterpolationError);
});

test('checkData: equalsOneOf holds for either content whole, not for a mix', () => {
  const contents = new Map([['old', Buffer.from('aaaa')], ['new', Buffer.from('bbbbbb')]]);
  const remembered = (name: string) => contents.get(name);
  assert.equal(checkData(Buffer.from('aaaa'), { equalsOneOf: ['old', 'new'] }, 's', remembered), null);
  assert.equal(checkData(Buffer.from('bbbbbb'), { equalsOneOf: ['old', 'new'] }, 's', remembered), null);
  assert.match(checkData(Buffer.from('bbaa'), { equalsOneOf: ['old', 'new'] }, 's', remembered)?.actual ?? '', /differ from "old"/);
  assert.match(checkData(Buffer.from('x'), { equalsOneOf: ['old', 'gone'] }, 's', remembered)?.actual ?? '', /spec error/);
});
