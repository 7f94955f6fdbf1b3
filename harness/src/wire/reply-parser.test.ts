import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayEndMultiline, parseReplies, pendingMultilineCode, type Reply } from './reply-parser.ts';

/** Parses `text` fed in pieces cut at `cuts`, carrying `rest` like a connection does. */
function parseInChunks(text: string, cuts: number[]): { replies: Reply[]; rest: string } {
  const replies: Reply[] = [];
  let rest = '';
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    const parsed = parseReplies(rest + text.slice(from, cut));
    replies.push(...parsed.replies);
    rest = parsed.rest;
    from = cut;
  }
  return { replies, rest };
}

describe('parseReplies: single-line replies', () => {
  it('parses one reply with CRLF', () => {
    const { replies, rest } = parseReplies('220 Service ready\r\n');
    assert.equal(rest, '');
    assert.deepEqual(replies, [{ code: 220, lines: ['220 Service ready'], message: 'Service ready', raw: '220 Service ready\r\n' }]);
  });

  it('parses several replies in one chunk, in order', () => {
    const { replies, rest } = parseReplies('331 Password?\r\n230 Logged in.\r\n250 OK\r\n');
    assert.deepEqual(replies.map((r) => r.code), [331, 230, 250]);
    assert.equal(rest, '');
  });

  it('accepts a bare LF and keeps it in raw', () => {
    const { replies } = parseReplies('200 OK\n');
    assert.equal(replies[0]?.code, 200);
    assert.equal(replies[0]?.message, 'OK');
    assert.equal(replies[0]?.raw, '200 OK\n');
  });

  it('accepts a code with no text at all', () => {
    const { replies } = parseReplies('200\r\n');
    assert.deepEqual(replies[0], { code: 200, lines: ['200'], message: '', raw: '200\r\n' });
  });

  it('keeps a partial line in rest', () => {
    const { replies, rest } = parseReplies('220 Ready\r\n331 Pass');
    assert.equal(replies.length, 1);
    assert.equal(rest, '331 Pass');
  });

  it('keeps a lone CR inside the line and strips only the terminator', () => {
    const { replies } = parseReplies('200 a\rb\r\r\n');
    assert.deepEqual(replies[0]?.lines, ['200 a\rb\r']);
  });
});

describe('parseReplies: multi-line replies (RFC 959 §4.2)', () => {
  const rfcExample = '123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123 The last line\r\n';

  it('parses the RFC 959 example, inner lines starting with digits included', () => {
    const { replies, rest } = parseReplies(rfcExample);
    assert.equal(rest, '');
    assert.equal(replies.length, 1);
    const reply = replies[0] as Reply;
    assert.equal(reply.code, 123);
    assert.deepEqual(reply.lines, ['123-First line', 'Second line', '  234 A line beginning with numbers', '123 The last line']);
    assert.equal(reply.message, 'First line\nSecond line\n  234 A line beginning with numbers\nThe last line');
    assert.equal(reply.raw, rfcExample);
  });

  it('does not end on an inner line with another code followed by a space', () => {
    const text = '211-Status\r\n226 not the end\r\n211-still inside\r\n211 End\r\n';
    const { replies } = parseReplies(text);
    assert.equal(replies.length, 1);
    assert.equal(replies[0]?.lines.length, 4);
    assert.equal(replies[0]?.message, 'Status\n226 not the end\nstill inside\nEnd');
  });

  it('strips a repeated `ddd-` prefix from inner lines', () => {
    const { replies } = parseReplies('230-Welcome\r\n230-to the server\r\n230 Logged in.\r\n');
    assert.equal(replies[0]?.message, 'Welcome\nto the server\nLogged in.');
  });

  it('keeps an unfinished multi-line reply whole in rest', () => {
    const text = '220 hi\r\n211-Features:\r\n EPSV\r\n';
    const { replies, rest } = parseReplies(text);
    assert.deepEqual(replies.map((r) => r.code), [220]);
    assert.equal(rest, '211-Features:\r\n EPSV\r\n');
    assert.equal(pendingMultilineCode(rest), 211);
  });

  it('ends a multi-line reply on a last line that is the bare code', () => {
    const { replies, rest } = parseReplies('211-Features:\r\n SIZE\r\n211\r\n');
    assert.equal(rest, '');
    assert.equal(replies[0]?.message, 'Features:\n SIZE\n');
  });

  it('gives the same replies whatever byte the stream is split at', () => {
    const stream = '220-Welcome\r\n220 Ready\r\n' + rfcExample + '200 OK\n' + '500 bad\r\n';
    const whole = parseReplies(stream);
    assert.equal(whole.rest, '');
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const split = parseInChunks(stream, [cut]);
      assert.deepEqual(split, whole, `split at ${cut}`);
    }
    // and fed one byte at a time
    const cuts = Array.from({ length: stream.length }, (_, i) => i);
    assert.deepEqual(parseInChunks(stream, cuts), whole);
  });
});

describe('parseReplies: replies as real servers send them', () => {
  it('vsftpd greeting, FEAT and HELP', () => {
    const text =
      '220 (vsFTPd 3.0.5)\r\n' +
      '211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n' +
      '214-The following commands are recognized.\r\n' +
      ' ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n' +
      ' MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR RMD  RNFR\r\n' +
      ' RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP XCWD XMKD\r\n' +
      ' XPWD XRMD\r\n' +
      '214 Help OK.\r\n';
    const { replies, rest } = parseReplies(text);
    assert.equal(rest, '');
    assert.deepEqual(replies.map((r) => r.code), [220, 211, 214]);
    assert.equal(replies[0]?.message, '(vsFTPd 3.0.5)');
    assert.deepEqual(replies[1]?.lines.slice(1, -1).map((l) => l.trim()), ['EPRT', 'EPSV', 'MDTM', 'PASV', 'REST STREAM', 'SIZE', 'TVFS', 'UTF8']);
    assert.equal(replies[2]?.lines.length, 6);
  });

  it('proftpd greeting, FEAT with MLST facts, and a multi-line 230', () => {
    const text =
      '220 ProFTPD Server (Debian) [::ffff:127.0.0.1]\r\n' +
      '211-Features:\r\n AUTH TLS\r\n CCC\r\n CLNT\r\n EPRT\r\n EPSV\r\n HOST\r\n LANG en-US*\r\n MDTM\r\n' +
      ' MFF modify;UNIX.group;UNIX.mode;\r\n MFMT\r\n' +
      ' MLST modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.groupname*;UNIX.mode*;UNIX.owner*;UNIX.ownername*;\r\n' +
      ' PBSZ\r\n PROT\r\n REST STREAM\r\n SIZE\r\n SITE COPY\r\n SITE MKDIR\r\n SITE RMDIR\r\n SITE SYMLINK\r\n SITE UTIME\r\n TVFS\r\n UTF8\r\n' +
      '211 End\r\n' +
      '230-Welcome, archive user bob@127.0.0.1 !\r\n230-\r\n230-The local time is: Fri Nov 21 05:52:00 2025\r\n230 User bob logged in\r\n';
    const { replies, rest } = parseReplies(text);
    assert.equal(rest, '');
    assert.deepEqual(replies.map((r) => r.code), [220, 211, 230]);
    assert.ok(replies[1]?.lines.includes(' SITE COPY'));
    assert.equal(replies[2]?.message, 'Welcome, archive user bob@127.0.0.1 !\n\nThe local time is: Fri Nov 21 05:52:00 2025\nUser bob logged in');
  });

  it('pure-ftpd greeting whose first line is `220----------`', () => {
    const text =
      '220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n' +
      '220-You are user number 1 of 50 allowed.\r\n' +
      '220-Local time is now 05:52. Server port: 21.\r\n' +
      '220-This is a private system - No anonymous login\r\n' +
      '220-IPv6 connections are also welcome on this server.\r\n' +
      '220 You will be disconnected after 15 minutes of inactivity.\r\n' +
      '211-Extensions supported:\r\n EPRT\r\n IDLE\r\n MDTM\r\n SIZE\r\n MFMT\r\n REST STREAM\r\n' +
      ' MLST type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;\r\n MLSD\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n UTF8\r\n TVFS\r\n ESTA\r\n PASV\r\n EPSV\r\n SPSV\r\n ESTP\r\n' +
      '211 End.\r\n';
    const { replies, rest } = parseReplies(text);
    assert.equal(rest, '');
    assert.deepEqual(replies.map((r) => r.code), [220, 211]);
    assert.equal(replies[0]?.lines.length, 6);
    assert.ok(replies[0]?.message.startsWith('--------- Welcome to Pure-FTPd'));
    assert.ok(replies[0]?.message.endsWith('You will be disconnected after 15 minutes of inactivity.'));
  });

  it('pyftpdlib greeting, FEAT and HELP', () => {
    const text =
      '220 pyftpdlib 1.5.9 ready.\r\n' +
      '211-Features supported:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MFMT\r\n MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;\r\n' +
      ' REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End FEAT.\r\n' +
      '214-The following commands are recognized:\r\n' +
      ' ABOR   ALLO   APPE   CDUP   CWD    DELE   EPRT   EPSV  \r\n' +
      ' FEAT   HELP   LIST   MDTM   MFMT   MKD    MLSD   MLST  \r\n' +
      '214 Help command successful.\r\n';
    const { replies, rest } = parseReplies(text);
    assert.equal(rest, '');
    assert.deepEqual(replies.map((r) => r.code), [220, 211, 214]);
    assert.equal(replies[1]?.lines.at(-1), '211 End FEAT.');
    assert.equal(replies[2]?.lines[1], ' ABOR   ALLO   APPE   CDUP   CWD    DELE   EPRT   EPSV  ');
  });
});

describe('parseReplies: hostile input', () => {
  it('turns a line without a code into a code-0 reply instead of throwing', () => {
    const { replies, rest } = parseReplies('hello there\r\n200 OK\r\n');
    assert.equal(rest, '');
    assert.deepEqual(replies[0], { code: 0, lines: ['hello there'], message: 'hello there', raw: 'hello there\r\n' });
    assert.equal(replies[1]?.code, 200);
  });

  it('treats a 2-digit or 4-digit code as malformed', () => {
    const { replies } = parseReplies('20 short\r\n2000 long\r\n22x bad\r\n');
    assert.deepEqual(replies.map((r) => r.code), [0, 0, 0]);
  });

  it('treats an empty line as malformed', () => {
    const { replies } = parseReplies('\r\n');
    assert.deepEqual(replies[0], { code: 0, lines: [''], message: '', raw: '\r\n' });
  });

  it('keeps NUL and 0xff characters as they are', () => {
    const { replies } = parseReplies('500 \u0000\u00ff\r\n');
    assert.equal(replies[0]?.code, 500);
    assert.equal(replies[0]?.message, '\u0000\u00ff');
  });

  it('handles a 1 MB line without trouble', () => {
    const huge = '200 ' + 'x'.repeat(1024 * 1024);
    const partial = parseReplies(huge);
    assert.deepEqual(partial, { replies: [], rest: huge });
    const { replies } = parseReplies(huge + '\r\n');
    assert.equal(replies[0]?.message.length, 1024 * 1024);
  });

  it('handles a multi-line reply of 100 000 lines in linear time', () => {
    const text = '211-start\r\n' + ' line\r\n'.repeat(100_000) + '211 end\r\n';
    const started = Date.now();
    const { replies } = parseReplies(text);
    assert.equal(replies[0]?.lines.length, 100_002);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('mayEndMultiline', () => {
  it('sees the closing line, and only that', () => {
    assert.equal(mayEndMultiline(211, ' EPSV\r\n SIZE\r\n'), false);
    assert.equal(mayEndMultiline(211, ' EPSV\r\n211 End\r\n'), true);
    assert.equal(mayEndMultiline(211, '211\r\n'), true);
    assert.equal(mayEndMultiline(211, '211-more\r\n'), false);
    assert.equal(mayEndMultiline(211, '212 other\r\n'), false);
  });
});
