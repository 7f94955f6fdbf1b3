import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Transcript, escapeForDisplay, maskLine } from './transcript.ts';

describe('Transcript: masking', () => {
  it('masks the PASS argument, whatever the case and spacing', () => {
    const t = new Transcript();
    t.sent('PASS hunter22\r\n');
    t.sent('pass   s3cret words\r\n');
    t.sent('PASS\r\n');
    assert.deepEqual(
      t.entries().map((e) => e.text),
      ['PASS ***', 'pass   ***', 'PASS'],
    );
  });

  it('masks SITE REGISTER and SITE ADDUSER passwords, keeping the user and the limit', () => {
    const t = new Transcript();
    t.sent('SITE REGISTER alice pa55word\r\n');
    t.sent('site adduser bob t0psecret 1048576\r\n');
    assert.deepEqual(t.entries().map((e) => e.text), ['SITE REGISTER alice ***', 'site adduser bob *** 1048576']);
  });

  it('masks each line of a pipelined write, and a PASS ended by a bare LF', () => {
    const t = new Transcript();
    t.sent(Buffer.from('USER bob\r\nPASS hunter22\nNOOP\r\n'));
    assert.deepEqual(t.entries().map((e) => e.text), ['USER bob', 'PASS ***\\n', 'NOOP']);
  });

  it('masks a remembered password wherever it shows up later, in replies too', () => {
    const t = new Transcript();
    t.sent('PASS hunter22\r\n');
    t.received("530 Login incorrect for password 'hunter22'\r\n");
    t.note('retrying with hunter22');
    const text = t.toText();
    assert.ok(!text.includes('hunter22'), text);
    assert.match(text, /password '\*\*\*'/);
  });

  it('maskLine leaves other lines alone', () => {
    assert.deepEqual(maskLine('USER bob'), { text: 'USER bob' });
    assert.deepEqual(maskLine('PASSWORD x'), { text: 'PASSWORD x' });
  });
});

describe('Transcript: escaping and truncation', () => {
  it('escapes control bytes and shows non-UTF-8 bytes as \\xNN', () => {
    const t = new Transcript();
    t.sent(Buffer.from([0x4e, 0x4f, 0x4f, 0x50, 0x00, 0xff, 0xf4, 0x0d, 0x0a]));
    assert.equal(t.entries()[0]?.text, 'NOOP\\x00\\xff\\xf4');
  });

  it('keeps valid UTF-8 readable', () => {
    const t = new Transcript();
    t.received(Buffer.from('257 "/dossier-été" created\r\n', 'utf8'));
    assert.equal(t.entries()[0]?.text, '257 "/dossier-été" created');
  });

  it('shows a bare LF, a lone CR and a missing terminator', () => {
    const t = new Transcript();
    t.sent('NOOP\n');
    t.sent('NO\rOP\r\n');
    t.sent('NOOP');
    assert.deepEqual(t.entries().map((e) => e.text), ['NOOP\\n', 'NO\\rOP', 'NOOP']);
  });

  it('escapeForDisplay handles tabs, DEL and C1 controls', () => {
    assert.equal(escapeForDisplay('a\tb\u007fc\u0085'), 'a\\tb\\x7fc\\x85');
  });

  it('truncates a 100 KB line in display and notes its length', () => {
    const t = new Transcript();
    t.sent('STOR ' + 'a'.repeat(100_000) + '\r\n');
    const text = t.entries()[0]?.text ?? '';
    assert.ok(text.length < 500, `display length ${text.length}`);
    assert.match(text, /truncated: 100005 chars in all/);
  });

  it('drops the oldest entries past its bound and says so', () => {
    const t = new Transcript(undefined, { maxEntries: 3 });
    for (let i = 0; i < 5; i += 1) t.sent(`NOOP ${i}\r\n`);
    assert.deepEqual(t.entries().map((e) => e.text), ['NOOP 2', 'NOOP 3', 'NOOP 4']);
    assert.match(t.toText(), /^\(2 earlier entries dropped\)/);
  });
});

describe('Transcript: entries and formatting', () => {
  it('records direction, channel, time, and formats a tail', () => {
    const t = new Transcript('s1');
    t.sent('USER bob\r\n');
    t.received('331 Password?\r\n');
    t.note('about to log in');
    t.received(Buffer.from('hello'), 'data');
    const entries = t.entries();
    assert.deepEqual(entries.map((e) => [e.direction, e.channel]), [
      ['sent', 'control'],
      ['received', 'control'],
      ['note', 's1'],
      ['received', 'data'],
    ]);
    assert.ok(entries.every((e, i) => i === 0 || e.atMs >= (entries[i - 1]?.atMs ?? 0)));
    const tail = t.tail(2);
    assert.equal(tail.length, 2);
    assert.match(tail[0] ?? '', /s1 # about to log in$/);
    assert.match(t.toText(), /control > USER bob\n.*control < 331 Password\?/);
    assert.deepEqual(t.tail(0), []);
  });

  it('entries() returns copies', () => {
    const t = new Transcript();
    t.note('x');
    const [entry] = t.entries();
    if (entry) entry.text = 'changed';
    assert.equal(t.entries()[0]?.text, 'x');
  });
});
