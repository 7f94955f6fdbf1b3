import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootCases, verbOfLine } from './root-cases.ts';
import type { LoadedCase } from '../spec/types.ts';

const base = { title: 't', severity: 'major' as const, references: ['RFC 959'], warning: 'w w w w w w', file: 'f', line: 1 };

test('rootCases: each verb leads to the most direct case whose checks send it, rfc959 first', () => {
  const cases: LoadedCase[] = [
    { ...base, id: 'jail.nlst-x', suite: 'jail', steps: [{ login: 'user' }, { list: '', command: 'NLST', data: { contains: ['a'] } }] },
    { ...base, id: 'rfc959.nlst', suite: 'rfc959', steps: [{ login: 'user' }, { list: '', command: 'NLST', check: true }, { send: 'NOOP', expect: { code: 200 } }] },
    { ...base, id: 'rfc959.tls', suite: 'rfc959', steps: [{ connect: true }, { startTls: true, check: true }] },
    // A login only prepares: it makes no case the root of USER/PASS.
    { ...base, id: 'rfc959.mkd', suite: 'rfc959', steps: [{ login: 'user' }, { mkdir: 'x', expect: { code: 257 } }] },
  ];
  const roots = rootCases(cases);
  assert.equal(roots.get('NLST'), 'rfc959.nlst');
  assert.equal(roots.get('AUTH'), 'rfc959.tls');
  assert.equal(roots.get('MKD'), 'rfc959.mkd');
  assert.equal(roots.get('USER'), undefined);
});

test('verbOfLine: SITE lines keep their subcommand', () => {
  assert.equal(verbOfLine('SITE cpfr a.txt'), 'SITE CPFR');
  assert.equal(verbOfLine('nlst'), 'NLST');
});
