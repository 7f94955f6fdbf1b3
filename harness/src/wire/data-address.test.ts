import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEprt, formatPort, parseEpsvReply, parsePasvReply } from './data-channel.ts';

describe('parsePasvReply (RFC 959 §4.1.2, RFC 1123 §4.1.2.6)', () => {
  const expected = { host: '127.0.0.1', port: 4 * 256 + 1 };
  const variants: [string, string][] = [
    ['vsftpd', 'Entering Passive Mode (127,0,0,1,4,1).'],
    ['pyftpdlib', 'Entering passive mode (127,0,0,1,4,1).'],
    ['full line with code', '227 Entering Passive Mode (127,0,0,1,4,1)'],
    ['no parentheses', 'Entering Passive Mode 127,0,0,1,4,1'],
    ['equals sign', '=127,0,0,1,4,1'],
    ['spaces after commas', 'Passive (127, 0, 0, 1, 4, 1)'],
    ['leading zeros', '(127,000,000,001,004,001)'],
  ];
  for (const [name, message] of variants) {
    it(`reads ${name}`, () => assert.deepEqual(parsePasvReply(message), expected));
  }

  it('rejects bytes over 255, too few numbers, and port 0', () => {
    assert.equal(parsePasvReply('(256,0,0,1,4,1)'), null);
    assert.equal(parsePasvReply('(127,0,0,1,4)'), null);
    assert.equal(parsePasvReply('(127,0,0,1,0,0)'), null);
    assert.equal(parsePasvReply('Entering Passive Mode'), null);
    assert.equal(parsePasvReply(''), null);
  });
});

describe('parseEpsvReply (RFC 2428 §3)', () => {
  it('reads the usual form and other delimiters', () => {
    assert.deepEqual(parseEpsvReply('Entering Extended Passive Mode (|||6446|)'), { port: 6446 });
    assert.deepEqual(parseEpsvReply('229 Entering extended passive mode (|||50000|).'), { port: 50000 });
    assert.deepEqual(parseEpsvReply('Extended (!!!1025!)'), { port: 1025 });
    assert.deepEqual(parseEpsvReply('Mode (###2121#)'), { port: 2121 });
    assert.deepEqual(parseEpsvReply('no parentheses |||3000|'), { port: 3000 });
  });

  it('rejects mixed delimiters, a digit delimiter, a bad port and missing fields', () => {
    assert.equal(parseEpsvReply('(|!|6446|)'), null);
    assert.equal(parseEpsvReply('(1116446)'), null);
    assert.equal(parseEpsvReply('(|||70000|)'), null);
    assert.equal(parseEpsvReply('(|||0|)'), null);
    assert.equal(parseEpsvReply('(||6446|)'), null);
    assert.equal(parseEpsvReply('Entering Extended Passive Mode'), null);
  });
});

describe('formatPort / formatEprt', () => {
  it('formats a PORT argument', () => {
    assert.equal(formatPort('127.0.0.1', 1025), '127,0,0,1,4,1');
    assert.equal(formatPort('::ffff:10.1.2.3', 65535), '10,1,2,3,255,255');
  });

  it('round-trips through the PASV parser', () => {
    for (const port of [1, 255, 256, 4097, 65535]) {
      assert.deepEqual(parsePasvReply(`(${formatPort('127.0.0.1', port)})`), { host: '127.0.0.1', port });
    }
  });

  it('refuses IPv6 and bad ports for PORT', () => {
    assert.throws(() => formatPort('::1', 21), RangeError);
    assert.throws(() => formatPort('127.0.0.1', 0), RangeError);
    assert.throws(() => formatPort('127.0.0.1', 70000), RangeError);
  });

  it('formats EPRT for IPv4 and IPv6', () => {
    assert.equal(formatEprt('127.0.0.1', 6275), '|1|127.0.0.1|6275|');
    assert.equal(formatEprt('::ffff:127.0.0.1', 6275), '|1|127.0.0.1|6275|');
    assert.equal(formatEprt('::1', 6275), '|2|::1|6275|');
    assert.throws(() => formatEprt('localhost', 21), RangeError);
  });
});
