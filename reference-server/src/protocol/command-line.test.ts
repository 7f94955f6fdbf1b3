import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineReader, maskSecrets, parseCommand, type LineEvent } from './command-line.ts';

const IAC = 0xff;
const IP = 244;
const DM = 242;
const WILL = 251;
const WONT = 252;
const DO = 253;
const DONT = 254;

/** Events as plain values: lines as latin1 strings, overflows as `{ overflow }`. */
function show(events: LineEvent[]): (string | { overflow: number })[] {
  return events.map((event) => (event.kind === 'line' ? event.line.toString('latin1') : { overflow: event.length }));
}

function feedAll(reader: LineReader, chunks: Buffer[]): (string | { overflow: number })[] {
  return chunks.flatMap((chunk) => show(reader.feed(chunk)));
}

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

/** The reader's private buffer size, to show memory stays bounded. */
function pendingBytes(reader: LineReader): number {
  const inner = reader as unknown as { pendingBytes: number; pending: Buffer[] };
  assert.equal(inner.pending.reduce((sum, part) => sum + part.length, 0), inner.pendingBytes);
  return inner.pendingBytes;
}

describe('LineReader', () => {
  it('splits CRLF lines and strips the CR', () => {
    assert.deepEqual(feedAll(new LineReader(8192), [bytes('USER alice\r\nPASS x\r\n')]), ['USER alice', 'PASS x']);
  });

  it('accepts bare LF', () => {
    assert.deepEqual(feedAll(new LineReader(8192), [bytes('NOOP\nPWD\r\nSYST\n')]), ['NOOP', 'PWD', 'SYST']);
  });

  it('keeps a lone CR inside a line for the parser to refuse, and an empty line as empty', () => {
    assert.deepEqual(feedAll(new LineReader(8192), [bytes('NO\rOP\r\n\r\n\n')]), ['NO\rOP', '', '']);
  });

  it('keeps NUL for the parser to refuse', () => {
    assert.deepEqual(feedAll(new LineReader(8192), [bytes('RETR a\0b\r\n')]), ['RETR a\0b']);
  });

  it('holds an unfinished line until its LF arrives', () => {
    const reader = new LineReader(8192);
    assert.deepEqual(show(reader.feed(bytes('NO'))), []);
    assert.deepEqual(show(reader.feed(bytes('OP\r'))), []);
    assert.deepEqual(show(reader.feed(bytes('\n'))), ['NOOP']);
  });

  it('gives the same lines however the stream is cut, at every byte', () => {
    const stream = bytes(
      'USER alice\r\nPASS pw\r\n',
      [IAC, IP, IAC, DM],
      'ABOR\r\n',
      'MKD a',
      [IAC, IAC],
      'b\n',
      [IAC, WILL, 1, IAC, DO, 3],
      'NOOP\r\n',
      'X'.repeat(40),
      '\r\nPWD\r\n',
    );
    const whole = feedAll(new LineReader(32), [stream]);
    assert.deepEqual(whole, ['USER alice', 'PASS pw', 'ABOR', 'MKD a\xffb', 'NOOP', { overflow: 41 }, 'PWD']);
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new LineReader(32);
      assert.deepEqual(feedAll(reader, [stream.subarray(0, cut), stream.subarray(cut)]), whole, `cut at byte ${cut}`);
    }
    const byteByByte = new LineReader(32);
    assert.deepEqual(feedAll(byteByByte, [...stream].map((byte) => Buffer.from([byte]))), whole);
  });

  it('a 100 KB line is one overflow event, and the buffer never passes the cap', () => {
    const cap = 8192;
    const reader = new LineReader(cap);
    const events: LineEvent[] = [];
    const chunk = Buffer.alloc(1000, 0x41);
    for (let i = 0; i < 100; i++) {
      events.push(...reader.feed(chunk));
      assert.ok(pendingBytes(reader) <= cap, `pending ${pendingBytes(reader)} after ${i + 1} KB`);
    }
    assert.equal(events.length, 0, 'nothing reported before the line ends');
    events.push(...reader.feed(bytes('\r\nNOOP\r\n')));
    assert.deepEqual(show(events), [{ overflow: 100_001 }, 'NOOP']);
    assert.equal(pendingBytes(reader), 0);
  });

  it('an over-long line in one chunk, then another, gives one overflow each', () => {
    const reader = new LineReader(100);
    const events = feedAll(reader, [bytes('A'.repeat(5000), '\nNOOP\n', 'B'.repeat(101), '\r\nPWD\r\n')]);
    assert.deepEqual(events, [{ overflow: 5000 }, 'NOOP', { overflow: 102 }, 'PWD']);
  });

  it('the cap is exact: cap bytes (CR included) pass, one more overflows', () => {
    const reader = new LineReader(10);
    assert.deepEqual(feedAll(reader, [bytes('A'.repeat(10), '\n')]), ['A'.repeat(10)]);
    assert.deepEqual(feedAll(reader, [bytes('A'.repeat(9), '\r\n')]), ['A'.repeat(9)]);
    assert.deepEqual(feedAll(reader, [bytes('A'.repeat(11), '\n')]), [{ overflow: 11 }]);
    assert.deepEqual(feedAll(reader, [bytes('A'.repeat(10), '\r\n')]), [{ overflow: 11 }]);
  });

  describe('Telnet (RFC 854) in the command stream', () => {
    const cases: [string, Buffer, string][] = [
      ['IAC IP is removed', bytes('NO', [IAC, IP], 'OP\r\n'), 'NOOP'],
      ['IAC DM is removed', bytes([IAC, DM], 'NOOP\r\n'), 'NOOP'],
      ['IAC IP IAC DM before ABOR (the Synch of RFC 959 §4.1.3)', bytes([IAC, IP, IAC, DM], 'ABOR\r\n'), 'ABOR'],
      ['IAC IAC is one 0xFF data byte', bytes('MKD a', [IAC, IAC], 'b\r\n'), 'MKD a\xffb'],
      ['IAC WILL x takes its option byte', bytes('N', [IAC, WILL, 0x4f], 'OOP\r\n'), 'NOOP'],
      ['IAC WONT/DO/DONT take their option byte', bytes([IAC, WONT, 1, IAC, DO, 0x0a, IAC, DONT, IAC], 'NOOP\r\n'), 'NOOP'],
    ];
    for (const [name, input, expected] of cases) {
      it(name, () => {
        assert.deepEqual(feedAll(new LineReader(8192), [input]), [expected]);
      });
    }

    it('an IAC sequence cut across chunks is still removed', () => {
      const reader = new LineReader(8192);
      assert.deepEqual(feedAll(reader, [bytes('NO', [IAC]), bytes([WILL]), bytes([1], 'OP'), bytes([IAC]), bytes([IAC], '\r\n')]), ['NOOP\xff']);
    });
  });
});

describe('parseCommand (RFC 959 §5.3)', () => {
  const parse = (text: string) => parseCommand(Buffer.from(text, 'latin1'));

  it('upper-cases the verb and keeps the argument as sent', () => {
    assert.deepEqual(parse('user alice'), { verb: 'USER', argument: 'alice', hasControlCharacters: false });
    assert.deepEqual(parse('Retr  two  spaces '), { verb: 'RETR', argument: ' two  spaces ', hasControlCharacters: false });
    assert.deepEqual(parse('NOOP'), { verb: 'NOOP', argument: '', hasControlCharacters: false });
    assert.deepEqual(parse('PASS my secret words'), { verb: 'PASS', argument: 'my secret words', hasControlCharacters: false });
  });

  it('an empty line has an empty verb', () => {
    assert.equal(parse('').verb, '');
    assert.equal(parse(' NOOP').verb, '');
  });

  it('decodes UTF-8 arguments (RFC 2640)', () => {
    assert.equal(parseCommand(Buffer.from('MKD 日本語 ü', 'utf8')).argument, '日本語 ü');
  });

  for (const text of ['RETR a\0b', 'RETR a\rb', 'DELE x\nDELE y', 'MKD \x1b[31mred', 'CWD \x7f', '\0\0\0']) {
    it(`flags control characters: ${JSON.stringify(text)}`, () => {
      assert.equal(parse(text).hasControlCharacters, true);
    });
  }

  it('binary garbage never throws', () => {
    let seed = 7;
    for (let round = 0; round < 500; round++) {
      const line = Buffer.from(Array.from({ length: round % 64 }, () => (seed = (seed * 48271) % 2147483647) & 0xff));
      const parsed = parseCommand(line);
      assert.equal(typeof parsed.verb, 'string');
      assert.equal(parsed.verb, parsed.verb.toUpperCase());
    }
  });
});

describe('maskSecrets', () => {
  const cases: [line: string, masked: string][] = [
    ['PASS alice-pw', 'PASS ***'],
    ['PASS with spaces in it', 'PASS ***'],
    ['PASS', 'PASS'],
    ['pass\talice-pw', 'PASS ***'],
    ['PASSalice-pw', 'PASS ***'],
    ['USER alice', 'USER alice'],
    ['RETR a.txt', 'RETR a.txt'],
    ['SITE REGISTER carol s3cret', 'SITE REGISTER carol ***'],
    ['SITE register carol s3cret', 'SITE register carol ***'],
    ['SITE ADDUSER carol s3cret 1000', 'SITE ADDUSER carol *** 1000'],
    ['SITE ADDUSER carol two words', 'SITE ADDUSER carol ***'],
    ['SITE REGISTER carol', 'SITE REGISTER carol'],
    ['SITE CPFR a.txt', 'SITE CPFR a.txt'],
    ['SITE QUOTA', 'SITE QUOTA'],
  ];
  for (const [line, masked] of cases) {
    it(`${JSON.stringify(line)} -> ${masked}`, () => assert.equal(maskSecrets(line), masked));
  }

  for (const line of ['SITE REGISTER  carol s3cret', 'SITE REGISTER carol  s3cret', 'SITE\tREGISTER\tcarol\ts3cret', 'site  adduser carol s3cret  1000', ' SITE register carol s3cret', 'SITE\x0bREGISTER carol s3cret', ' \tPASS s3cret', 'PASS\x00s3cret']) {
    it(`odd spacing never reveals the password: ${JSON.stringify(line)}`, () => {
      assert.ok(!maskSecrets(line).toLowerCase().includes('s3cret'), maskSecrets(line));
    });
  }
});
