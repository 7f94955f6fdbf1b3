import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReplies } from '../wire/reply-parser.ts';
import { check257, checkHostRootListing, checkLeak, checkListing, checkPassiveReply, checkReplyCode, checkReplySyntax, checkSize, parse257 } from './checks.ts';
import { parseListing } from './listing.ts';
import { maskCommandLine, parseCommandLine } from './command-line.ts';
import { splitWords } from '../cli/split-words.ts';
import { parseHashReply, pickHashAlgorithm } from './transfers.ts';

const reply = (text: string) => {
  const parsed = parseReplies(text).replies[0];
  assert.ok(parsed, `fixture parses: ${JSON.stringify(text)}`);
  return parsed;
};

test('257: the quoted path is read, "" undoubled; an unquoted one is a warning citing RFC 959 Appendix II', () => {
  assert.equal(parse257('"/a ""b""" created.'), '/a "b"');
  assert.equal(parse257('"/" is the current directory.'), '/');
  assert.equal(parse257('/ is the current directory.'), null);
  assert.equal(parse257('"/unterminated'), null);
  assert.deepEqual(check257('PWD', reply('257 "/x" ok\r\n')), []);
  const [warning] = check257('MKD x', reply('257 /x created\r\n'));
  assert.match(warning?.text ?? '', /257 to MKD does not give the path in double quotes/);
  assert.match(warning?.basis ?? '', /RFC 959 Appendix II/);
});

test('reply syntax: code-less line, bare LF, an unpadded inner line with a code (RFC 959 §4.2)', () => {
  assert.deepEqual(checkReplySyntax(reply('211-Features\r\n SIZE\r\n211 End\r\n')), []);
  assert.match(checkReplySyntax(reply('hello there\r\n'))[0]?.text ?? '', /without a 3-digit code/);
  assert.match(checkReplySyntax(reply('200 ok\n'))[0]?.text ?? '', /bare LF/);
  const inner = checkReplySyntax(reply('214-Commands:\r\n200 USER PASS\r\n214 End\r\n'));
  assert.equal(inner.length, 1);
  assert.match(inner[0]?.text ?? '', /inner line that starts with a code: "200 USER PASS"/);
});

test('reply codes: judged against the table; an unlisted code names its source', () => {
  assert.deepEqual(checkReplyCode('MKD x', reply('257 "x"\r\n')), []);
  assert.deepEqual(checkReplyCode('XYZZY', reply('500 what?\r\n')), []);
  const [warning] = checkReplyCode('CWD x', reply('230 huh\r\n'));
  assert.match(warning?.text ?? '', /230 to CWD is not a reply listed for CWD/);
  assert.match(warning?.basis ?? '', /RFC 959 §5\.4/);
  assert.match(checkReplyCode('NOOP', reply('700 what\r\n'))[0]?.text ?? '', /no reply class/);
});

test('PASV/EPSV: unreadable, parenthesis-less, or another host than the control peer', () => {
  assert.deepEqual(checkPassiveReply('PASV', reply('227 Entering Passive Mode (127,0,0,1,4,1).\r\n'), '127.0.0.1'), []);
  assert.match(checkPassiveReply('PASV', reply('227 Entering Passive Mode (10,9,8,7,4,1).\r\n'), '127.0.0.1')[0]?.text ?? '', /227 names 10\.9\.8\.7, not the server's address 127\.0\.0\.1/);
  assert.match(checkPassiveReply('PASV', reply('227 ok\r\n'), '127.0.0.1')[0]?.text ?? '', /no address/);
  assert.deepEqual(checkPassiveReply('EPSV', reply('229 Entering Extended Passive Mode (|||4001|)\r\n'), '127.0.0.1'), []);
  assert.match(checkPassiveReply('EPSV', reply('229 Entering Extended Passive Mode |||4001|\r\n'), '127.0.0.1')[0]?.text ?? '', /without the parentheses/);
});

test('leaks: the server data folder, a host path, /etc/passwd content; a path we sent ourselves is no leak', () => {
  assert.match(checkLeak('550 /srv/ftp-data/alice/x: denied', 'reply', ['/srv/ftp-data'], '')[0]?.text ?? '', /server-side path: "\/srv\/ftp-data"/);
  assert.match(checkLeak('550 open /home/ftp/x failed', 'reply', [], '')[0]?.text ?? '', /\/home\/ftp\/x/);
  assert.deepEqual(checkLeak('550 /etc/passwd: not found', 'reply', [], 'RETR /etc/passwd'), []);
  assert.match(checkLeak('root:x:0:0:root:/root:/bin/bash\n', 'data', [], '').map((w) => w.text).join('|'), /\/etc\/passwd/);
  assert.deepEqual(checkLeak('a file that mentions C:\\Windows and /home/me', 'file', [], '', true), [], 'a downloaded file may hold any path');
  assert.equal(checkLeak('root:x:0:0:root:/root:/bin/bash\n', 'file', [], '', true).length, 1, 'but never the host passwd');
});

test('SIZE against the bytes transferred', () => {
  assert.deepEqual(checkSize('get a', 10, 10), []);
  assert.match(checkSize('get a', 6, 10)[0]?.text ?? '', /6 bytes transferred but SIZE says 10/);
});

test('listings: Unix ls -l and DOS lines parse; others are reported', () => {
  const text = 'total 8\r\n-rw-r--r--   1 ftp      ftp           3000000 Dec  3 12:31 big file.bin\r\ndrwxr-xr-x 2 ftp ftp 4096 Jan  1  2024 docs\r\nlrwxrwxrwx 1 0 0 7 Jan 1 00:00 up -> ..\r\n12-03-24  01:02PM       <DIR>          Windows\r\n12-03-24  01:02PM            1234 a.txt\r\n';
  const parsed = parseListing(text);
  assert.deepEqual(parsed.unparsed, []);
  assert.deepEqual(parsed.entries.map((e) => [e.name, e.kind, e.size]), [['big file.bin', 'file', 3000000], ['docs', 'dir', 4096], ['up', 'link', 7], ['Windows', 'dir', 0], ['a.txt', 'file', 1234]]);
  assert.match(checkListing('big.bin 3000000\r\n')[0]?.text ?? '', /1 listing line in neither/);
});

test('HASH: the FEAT algorithm list and the 213 reply', () => {
  assert.deepEqual(pickHashAlgorithm('HASH SHA-1;SHA-256*;MD5'), { name: 'SHA-256', node: 'sha256', selected: true });
  assert.deepEqual(pickHashAlgorithm('HASH SHA-1*;MD5'), { name: 'SHA-1', node: 'sha1', selected: true });
  assert.equal(pickHashAlgorithm('HASH CRC32'), null);
  assert.deepEqual(parseHashReply('SHA-256 0-49 ABCDEF0123 big.bin'), { algorithm: 'SHA-256', start: 0, end: 49, digest: 'abcdef0123' });
  assert.equal(parseHashReply('no digest here'), null);
});

test('command lines: quotes hold spaces, comments and blanks are nothing, the rest is kept raw', () => {
  assert.deepEqual(splitWords(`put "my file.txt" 'remote name'`), ['put', 'my file.txt', 'remote name']);
  assert.throws(() => parseCommandLine('get "half open'), /unclosed "/);
  assert.equal(maskCommandLine('user alice "pass word'), 'user ***', 'a line that does not parse is shown with all but its name masked');
  assert.equal(parseCommandLine('   # a comment'), null);
  assert.equal(parseCommandLine('  '), null);
  assert.deepEqual(parseCommandLine('QUOTE  site  help  x'), { name: 'quote', args: ['site', 'help', 'x'], rest: 'site  help  x' });
});

test('echoed command lines never show a password', () => {
  assert.equal(maskCommandLine('user alice s3cret'), 'user alice ***');
  assert.equal(maskCommandLine('quote PASS s3cret'), 'quote PASS ***');
  assert.equal(maskCommandLine('site ADDUSER zed zedsecret 100'), 'site ADDUSER zed *** 100');
  assert.equal(maskCommandLine('  get a.txt  '), 'get a.txt');
});

test("a listing of the host's root folder is told apart from a user's folder that has an etc", () => {
  assert.equal(checkHostRootListing(['bin', 'boot', 'dev', 'etc', 'home', 'usr', 'var'], 'LIST').length, 1);
  assert.equal(checkHostRootListing(['Windows/', 'Program Files/', 'Users/'], 'LIST').length, 1);
  assert.deepEqual(checkHostRootListing(['etc', 'notes.txt', 'usr'], 'LIST'), []);
});
