import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEprtArgument, parsePortArgument } from './data-setup.ts';

describe('parsePortArgument (RFC 959 §4.1.2: h1,h2,h3,h4,p1,p2)', () => {
  const valid: [string, { host: string; port: number }][] = [
    ['127,0,0,1,4,1', { host: '127.0.0.1', port: 1025 }],
    ['127,0,0,1,255,255', { host: '127.0.0.1', port: 65535 }],
    [' 10,1,2,3,0,21 ', { host: '10.1.2.3', port: 21 }],
    ['127,0,0,1,0,0', { host: '127.0.0.1', port: 0 }],
    ['127,000,000,001,004,001', { host: '127.0.0.1', port: 1025 }],
  ];
  for (const [argument, expected] of valid) {
    it(`${JSON.stringify(argument)} -> ${expected.host}:${expected.port}`, () => assert.deepEqual(parsePortArgument(argument), expected));
  }

  const hostile = [
    '',
    ',,,,,',
    '127,0,0,1,4',
    '127,0,0,1,4,1,9',
    '256,0,0,1,4,1',
    '127,0,0,1,256,1',
    '127,0,0,1,4,256',
    '127,0,0,1,-1,1',
    '127,0,0,1,4,1a',
    '127.0.0.1,4,1',
    '0x7f,0,0,1,4,1',
    '1e2,0,0,1,4,1',
    '+1,0,0,1,4,1',
    '0127,0,0,1,4,1',
    '127,0,0,1,4,',
    '1,2,3,4,5,6;rm -rf /',
    '127,0,0,1,4,1\0',
    '١٢٧,0,0,1,4,1',
    '1,'.repeat(100_000) + '1',
  ];
  for (const argument of hostile) {
    it(`refuses ${JSON.stringify(argument.length > 40 ? `${argument.slice(0, 40)}...` : argument)}`, () => assert.equal(parsePortArgument(argument), null));
  }
});

describe('parseEprtArgument (RFC 2428 §2: <d><af><d><addr><d><port><d>)', () => {
  const valid: [string, { host: string; port: number }][] = [
    ['|1|127.0.0.1|2000|', { host: '127.0.0.1', port: 2000 }],
    ['|2|::1|2000|', { host: '::1', port: 2000 }],
    ['|2|fe80::1:2|65535|', { host: 'fe80::1:2', port: 65535 }],
    ['!1!127.0.0.1!1!', { host: '127.0.0.1', port: 1 }],
    ['  |1|10.0.0.1|5000|  ', { host: '10.0.0.1', port: 5000 }],
  ];
  for (const [argument, expected] of valid) {
    it(`${JSON.stringify(argument)} -> ${expected.host}:${expected.port}`, () => assert.deepEqual(parseEprtArgument(argument), expected));
  }

  const syntax = [
    '',
    '|1|::1|2000|',
    '|2|127.0.0.1|2000|',
    '|1|127.0.0.1|0|',
    '|1|127.0.0.1|65536|',
    '|1|127.0.0.1|99999999|',
    '|1|127.0.0.1|-1|',
    '|1|127.0.0.1|20 00|',
    '|1|127.0.0.1|2000',
    '|1|127.0.0.1|2000|extra|',
    '1|127.0.0.1|2000|',
    'a1a127.0.0.1a2000a',
    '.1.127.0.0.1.2000.',
    '|1|256.0.0.1|2000|',
    '|1|localhost|2000|',
    '|1||2000|',
    '|1|127.0.0.1||',
    '|1|127.0.0.1|0x10|',
    '|1|127.0.0.1:80|2000|',
    '|1|127.0.0.1|2000|\0',
  ];
  for (const argument of syntax) {
    it(`syntax error: ${JSON.stringify(argument)}`, () => assert.equal(parseEprtArgument(argument), 'syntax'));
  }

  for (const argument of ['|3|127.0.0.1|2000|', '|0|127.0.0.1|2000|', '|99|x|1|']) {
    it(`unknown network protocol (522): ${JSON.stringify(argument)}`, () => assert.equal(parseEprtArgument(argument), 'family'));
  }

  it('an empty family is never a target', () => {
    assert.equal(typeof parseEprtArgument('||||'), 'string');
  });
});
